//! DESIGN.md's rule for the HTTP side: a route module holds one Zou
//! blueprint's routes and never imports another route module; what several
//! routes share lives in modules of its own beside `routes/`.

use std::fs;
use std::path::Path;

#[test]
fn no_route_module_imports_another() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
    let mut offenders = Vec::new();
    for entry in fs::read_dir(&dir).expect("src/routes") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "mod.rs" || path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = fs::read_to_string(&path).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            // `use super::*` inside a module's own unit tests is its own code.
            let reaches_out = code.contains("crate::routes")
                || (code.contains("super::") && !code.trim().starts_with("use super::*"));
            if reaches_out {
                offenders.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "route modules importing each other:\n{}",
        offenders.join("\n")
    );
}
