import { describe, expect, it } from 'vitest';
import { KEY_CSV_COLUMNS, KEY_CSV_HEADER } from './key-csv-columns.js';

// Written out once here on purpose: the header is a file format operators keep in their own
// tools, so renaming or reordering a column must fail a test, not just move every user alike.
describe('the key CSV columns', () => {
  it('are the documented twelve, in order', () => {
    expect(KEY_CSV_HEADER).toBe('serial,manufacturer,kind,medium,model,type_no,config_no,order_no,delivery_note,customer_no,key_type,key');
    expect(KEY_CSV_COLUMNS).toHaveLength(12);
  });
});
