// The columns of the key CSV (docs/inventory.md "Imports"), in their order: what the import reads,
// what the simulators write for it and what `openeks wmbus listen --keys` reads. One list, so the
// writers and the readers cannot drift apart.
export const KEY_CSV_COLUMNS = [
  'serial', 'manufacturer', 'kind', 'medium', 'model', 'type_no', 'config_no', 'order_no', 'delivery_note', 'customer_no', 'key_type', 'key',
] as const;
export type KeyCsvColumn = (typeof KEY_CSV_COLUMNS)[number];

/** The first line of every key CSV, exactly; the readers refuse a file whose header differs. */
export const KEY_CSV_HEADER = KEY_CSV_COLUMNS.join(',');
