import {
  BinaryOperationNode,
  InsertQueryNode,
  OperationNodeTransformer,
  PrimitiveValueListNode,
  RawNode,
  ValueListNode,
  ValueNode,
  ValuesNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

/** Longest `in (…)` list left as it is; longer ones become one JSON parameter. */
const MAX_LIST = 8;
/** Most bound values a multi-row insert keeps; beyond it the rows become one JSON parameter. */
const MAX_INSERT_VALUES = 90;

function primitives(node: OperationNode): readonly unknown[] | undefined {
  if (PrimitiveValueListNode.is(node)) return node.values;
  if (ValueListNode.is(node) && node.values.every((v) => ValueNode.is(v) && !v.immediate)) {
    return node.values.map((v) => (v as ValueNode).value);
  }
  return undefined;
}

/** `(select value from json_each(?))`: the list as one bound JSON text. */
function jsonList(values: readonly unknown[]): RawNode {
  return RawNode.create(['(select value from json_each(', '))'], [ValueNode.create(JSON.stringify(values))]);
}

class JsonListTransformer extends OperationNodeTransformer {
  protected override transformBinaryOperation(node: BinaryOperationNode): BinaryOperationNode {
    const transformed = super.transformBinaryOperation(node);
    const values = primitives(transformed.rightOperand);
    if (!values || values.length <= MAX_LIST) return transformed;
    return BinaryOperationNode.create(transformed.leftOperand, transformed.operator, jsonList(values));
  }

  protected override transformInsertQuery(node: InsertQueryNode): InsertQueryNode {
    const transformed = super.transformInsertQuery(node);
    const rows =
      transformed.values && ValuesNode.is(transformed.values) ? transformed.values.values : undefined;
    const width = transformed.columns?.length ?? 0;
    if (!rows || rows.length < 2 || rows.length * width <= MAX_INSERT_VALUES) return transformed;
    const data = rows.map(primitives);
    if (data.some((row) => !row || row.length !== width)) return transformed;
    const picks = Array.from({ length: width }, (_, i) => `value ->> ${i}`).join(', ');
    // `where true` keeps SQLite from reading a following `on conflict` as a join constraint.
    const select = RawNode.create(
      [`select ${picks} from json_each(`, `)${transformed.onConflict ? ' where true' : ''}`],
      [ValueNode.create(JSON.stringify(data))],
    );
    return InsertQueryNode.cloneWith(transformed, { values: select });
  }
}

/**
 * D1 binds at most 100 values to a statement, where SQLite takes 32,766; repositories write one SQL for
 * every database, with `in` lists of hundreds of ids and inserts of thousands of rows. This plugin, used
 * on D1 only, passes a long `in` list as one JSON text read back by `json_each`, and a large multi-row
 * insert as `insert … select value ->> 0, … from json_each(?)`, so the same queries run unchanged.
 *
 * @example
 * // where id in (?, ?, … 300 ids)  →  where id in (select value from json_each(?))   -- '["a","b",…]'
 */
export class JsonListsPlugin implements KyselyPlugin {
  readonly #transformer = new JsonListTransformer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
