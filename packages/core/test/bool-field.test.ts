import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidRequestError } from '../src/errors.js';
import { FieldData } from '../src/framework/field.js';

describe('bool fields', () => {
  const schema = { flag: { type: 'bool' as const } };

  it("accept Go's strconv.ParseBool spellings, as Vault does (Python clients send True and False)", () => {
    for (const yes of [true, 1, '1', 't', 'T', 'true', 'TRUE', 'True']) assert.equal(new FieldData({ flag: yes }, schema).get('flag'), true, String(yes));
    for (const no of [false, 0, '0', 'f', 'F', 'false', 'FALSE', 'False', '']) assert.equal(new FieldData({ flag: no }, schema).get('flag'), false, String(no));
  });

  it('refuse anything else with a 400', () => {
    for (const bad of ['yes', 'tRUE', 'on', 2, {}]) assert.throws(() => new FieldData({ flag: bad }, schema), InvalidRequestError, String(bad));
  });
});
