//! The SDL stays consumable by a typed client: graphql-codegen generates types from
//! schema.graphql for the operations of examples/typescript, and tsc checks the client.

use std::path::Path;
use std::process::Command;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/typescript");

#[test]
fn the_typescript_example_generates_and_typechecks_against_the_schema() {
    let example = Path::new(EXAMPLE);
    if !example.join("node_modules/.package-lock.json").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(example)
            .status()
            .expect("npm is needed for the TypeScript example");
        assert!(status.success(), "npm ci failed");
    }
    let output = Command::new("npm")
        .args(["run", "--silent", "check"])
        .current_dir(example)
        .output()
        .expect("npm run check");
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
