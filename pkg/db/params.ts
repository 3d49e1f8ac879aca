/** The positional parameters of one SQL statement, declared by name and Postgres type. */
export interface StatementParams<K extends string> {
  /** `$n::type` of each parameter, to write into the statement's text. */
  readonly $: Readonly<Record<K, string>>;
  /** The values in placeholder order, from one value per name. */
  values(values: Readonly<Record<K, unknown>>): unknown[];
}

/**
 * Numbers a statement's parameters in declaration order, so its text names them (`${p.$.merchantId}`
 * reads `$2::text`) and its values are passed by name: no hand-counted `$1..$n` to keep in step.
 */
export function statementParams<K extends string>(types: Readonly<Record<K, string>>): StatementParams<K> {
  const names = Object.keys(types) as K[];
  const refs = {} as Record<K, string>;
  names.forEach((name, i) => (refs[name] = `$${i + 1}::${types[name]}`));
  return {
    $: refs,
    values: (values) => names.map((name) => values[name]),
  };
}

/**
 * Turns rows into one array per field, the shape `unnest($1::t1[], $2::t2[], ...)` takes; `fields`
 * names the arrays so that an empty input still has them.
 */
export function toColumns<K extends string, V>(
  fields: readonly K[],
  rows: readonly Readonly<Record<K, V>>[],
): Record<K, V[]> {
  const columns = {} as Record<K, V[]>;
  for (const field of fields) {
    const column = new Array<V>(rows.length);
    for (let i = 0; i < rows.length; i++) column[i] = rows[i]![field];
    columns[field] = column;
  }
  return columns;
}
