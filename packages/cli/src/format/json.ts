// JSON as Vault's CLI writes it (Go's json.MarshalIndent with two spaces): a Map stands for a Go struct and keeps its
// field order, a plain object stands for a Go map and has its keys sorted; <, > and & are escaped as Go does.

function encodeString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function encode(value: unknown, indent: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return encodeString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + encode(v, inner)).join(',\n')}\n${indent}]`;
  }
  let entries: [string, unknown][];
  if (value instanceof Map) entries = [...(value as Map<string, unknown>).entries()];
  else {
    const obj = value as Record<string, unknown>;
    entries = Object.keys(obj)
      .sort()
      .map((k) => [k, obj[k]]);
  }
  entries = entries.filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${encodeString(k)}: ${encode(v, inner)}`).join(',\n')}\n${indent}}`;
}

export function goJson(value: unknown): string {
  return encode(value, '');
}
