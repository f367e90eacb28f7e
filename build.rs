//! Bundles GraphiQL and the dashboard (web/) with the pinned npm packages of
//! web/package-lock.json into OUT_DIR/web, which the gateway embeds (rust-embed). Needs
//! Node and the npm registry the first time; nothing is fetched at runtime.

use std::path::Path;
use std::process::Command;

fn run(command: &mut Command, what: &str) {
    let status = command.status().unwrap_or_else(|err| {
        panic!(
            "{what}: cannot start it ({err}); Node.js and npm are needed to build the web assets"
        )
    });
    assert!(status.success(), "{what} failed");
}

fn main() {
    let web = Path::new("web");
    for input in ["src", "build.mjs", "package.json", "package-lock.json"] {
        println!("cargo:rerun-if-changed=web/{input}");
    }
    // Installed once, and again whenever the lockfile changed since (a pull that adds a
    // package must not leave the bundle without it).
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let installed = modified(&web.join("node_modules/.package-lock.json"));
    if installed.is_none() || modified(&web.join("package-lock.json")) > installed {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(web),
            "npm ci (web)",
        );
    }
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("web");
    run(
        Command::new("node").arg(web.join("build.mjs")).arg(&out),
        "bundling the web assets",
    );
}
