#!/usr/bin/env node
// Finds or builds compose-check (this folder's wrapper around the Compose specification's Go loader, compose-go)
// and prints its path. The lab test validates docker-compose.yml with it; Docker itself is not needed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGoTool } from '../go-tool.mjs';

console.log(ensureGoTool(path.dirname(fileURLToPath(import.meta.url)), 'compose-check'));
