#!/usr/bin/env node
// Runs the compiled CLI (`tsc -b` writes dist/). The exit code is set rather than forced so that `server` keeps
// running until its own signal handling stops it.
const { main } = await import('../dist/main.js');
const { processIO } = await import('../dist/io.js');
process.exitCode = await main(process.argv.slice(2), processIO());
