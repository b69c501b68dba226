/** The documented SOQL subset: see README.md in this folder. */
export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: number };

export interface FieldRef {
  name: string;
  pos: number;
}

export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'cmp'; field: FieldRef; op: ComparisonOp; value: Literal }
  | { kind: 'in'; field: FieldRef; negate: boolean; values: Literal[] }
  | { kind: 'like'; field: FieldRef; pattern: string };

export interface OrderItem {
  field: FieldRef;
  desc: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  fields: FieldRef[];
  object: FieldRef;
  where?: Condition;
  orderBy: OrderItem[];
  limit?: number;
}
