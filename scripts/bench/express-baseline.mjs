#!/usr/bin/env node
// The HTTP floor: a bare express handler returning a fixed JSON body, in its own process.
import express from 'express';

const app = express();
const body = { request_id: '00000000-0000-0000-0000-000000000000', lease_id: '', renewable: false, lease_duration: 0, data: { value: 'x'.repeat(100) }, wrap_info: null, warnings: null, auth: null };
app.get('/fixed', (_req, res) => res.json(body));
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
