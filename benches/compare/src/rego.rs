//! The provisions in Rego v1 (`rego/provisions.rego`), on the regorus crate.
pub use regorus::Value;

/// A regorus engine with the policy loaded once.
pub struct Rego {
    engine: regorus::Engine,
}

impl Rego {
    pub fn new() -> Rego {
        let mut engine = regorus::Engine::new();
        let text = include_str!("../rego/provisions.rego");
        engine
            .add_policy("provisions.rego".into(), text.into())
            .expect("rego policy parses");
        Rego { engine }
    }

    /// A JSON case as the engine's input.
    pub fn input(line: &str) -> Value {
        Value::from_json_str(line).expect("json")
    }

    /// Every outcome's value, as an object keyed by outcome name.
    pub fn eval(&mut self, input: Value) -> Value {
        self.engine.set_input(input);
        self.engine
            .eval_rule("data.regula.outcomes".into())
            .expect("rego evaluates")
    }
}

impl Default for Rego {
    fn default() -> Rego {
        Rego::new()
    }
}
