//! Rebuilds the binary when the embedded policies or the grammar change.
fn main() {
    println!("cargo:rerun-if-changed=policies");
    println!("cargo:rerun-if-changed=grammar");
}
