#!/usr/bin/env node
// Finds or builds porcupine-check (this folder's wrapper around Porcupine, the linearizability checker) and
// prints its path. `npm run drill` checks every recorded key/value history with it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGoTool } from '../go-tool.mjs';

console.log(ensureGoTool(path.dirname(fileURLToPath(import.meta.url)), 'porcupine-check'));
