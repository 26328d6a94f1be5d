//! `regula graph`: the dependency graph of a policy set.
use super::{load_program, print, Exit, Out, PolicyArgs};
use crate::graph::{policy_graph, GraphFormat};

/// Arguments of `regula graph`.
#[derive(clap::Args, Debug)]
pub struct GraphArgs {
    /// Output language: Graphviz DOT or a Mermaid flowchart.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    format: GraphFormat,
    #[command(flatten)]
    pub(super) policies: PolicyArgs,
}

/// Runs `regula graph`.
pub fn run(a: GraphArgs, out: &Out) -> Exit {
    let Some(p) = load_program(&a.policies, out) else {
        return Exit::Finding;
    };
    print(&policy_graph(&p, a.format));
    Exit::Ok
}
