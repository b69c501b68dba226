import type { ComparisonOp, Condition, FieldRef, Literal, OrderItem, SoqlQuery } from './ast.ts';
import { soqlError } from './errors.ts';
import { tokenize, type Token } from './lexer.ts';

const KEYWORDS = new Set([
  'select',
  'from',
  'where',
  'and',
  'or',
  'not',
  'in',
  'like',
  'order',
  'by',
  'asc',
  'desc',
  'nulls',
  'first',
  'last',
  'limit',
  'null',
  'true',
  'false',
]);

/** Parses the emulator's SOQL subset; anything else is MALFORMED_QUERY, as Salesforce says for bad SOQL. */
export function parseSoql(soql: string): SoqlQuery {
  return new Parser(soql).query();
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;

  constructor(private readonly soql: string) {
    this.tokens = tokenize(soql);
  }

  private peek(offset = 0): Token {
    return (
      this.tokens[Math.min(this.i + offset, this.tokens.length - 1)] ?? {
        kind: 'eof',
        text: '',
        pos: this.soql.length,
      }
    );
  }

  private next(): Token {
    const t = this.peek();
    this.i += 1;
    return t;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.text.toLowerCase() === word;
  }

  private unexpected(t: Token = this.peek()): Error {
    if (t.kind === 'eof') return soqlError('MALFORMED_QUERY', this.soql, t.pos, 'unexpected token: <EOF>');
    return soqlError('MALFORMED_QUERY', this.soql, t.pos, `unexpected token: '${t.text}'`);
  }

  private expectKeyword(word: string): Token {
    if (!this.isKeyword(word)) throw this.unexpected();
    return this.next();
  }

  private expectPunct(p: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== p) throw this.unexpected(t);
  }

  private fieldRef(): FieldRef {
    const t = this.next();
    if (t.kind !== 'ident' || KEYWORDS.has(t.text.toLowerCase())) throw this.unexpected(t);
    if (this.peek().kind === 'punct' && this.peek().text === '(') {
      // Aggregates and functions (COUNT(), toLabel(), …) are outside the subset.
      throw soqlError(
        'MALFORMED_QUERY',
        this.soql,
        t.pos,
        `unexpected token: '${t.text}' (functions are outside the emulator's SOQL subset)`,
      );
    }
    if (t.text.includes('.')) {
      throw soqlError(
        'MALFORMED_QUERY',
        this.soql,
        t.pos,
        `relationship field '${t.text}' is outside the emulator's SOQL subset`,
      );
    }
    return { name: t.text, pos: t.pos };
  }

  query(): SoqlQuery {
    this.expectKeyword('select');
    const fields: FieldRef[] = [this.fieldRef()];
    while (this.peek().kind === 'punct' && this.peek().text === ',') {
      this.next();
      fields.push(this.fieldRef());
    }
    const seen = new Set<string>();
    for (const f of fields) {
      const key = f.name.toLowerCase();
      if (seen.has(key))
        throw soqlError('MALFORMED_QUERY', this.soql, f.pos, `duplicate field selected: ${f.name}`);
      seen.add(key);
    }
    this.expectKeyword('from');
    const object = this.fieldRef();
    const q: SoqlQuery = { fields, object, orderBy: [] };
    if (this.isKeyword('where')) {
      this.next();
      q.where = this.condition();
    }
    if (this.isKeyword('order')) {
      this.next();
      this.expectKeyword('by');
      q.orderBy.push(this.orderItem());
      while (this.peek().kind === 'punct' && this.peek().text === ',') {
        this.next();
        q.orderBy.push(this.orderItem());
      }
    }
    if (this.isKeyword('limit')) {
      this.next();
      const t = this.next();
      if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw this.unexpected(t);
      q.limit = Number(t.text);
    }
    if (this.peek().kind !== 'eof') throw this.unexpected();
    return q;
  }

  private orderItem(): OrderItem {
    const field = this.fieldRef();
    let desc = false;
    if (this.isKeyword('asc')) this.next();
    else if (this.isKeyword('desc')) {
      this.next();
      desc = true;
    }
    let nullsLast = desc;
    if (this.isKeyword('nulls')) {
      this.next();
      if (this.isKeyword('first')) nullsLast = false;
      else if (this.isKeyword('last')) nullsLast = true;
      else throw this.unexpected();
      this.next();
    }
    return { field, desc, nullsLast };
  }

  /**
   * SOQL refuses `a AND b OR c`: mixing AND and OR at one level needs parentheses, so a level is
   * either an AND chain or an OR chain.
   */
  private condition(): Condition {
    const first = this.factor();
    const joiner = this.isKeyword('and') ? 'and' : this.isKeyword('or') ? 'or' : undefined;
    if (joiner === undefined) return first;
    const items = [first];
    while (this.isKeyword(joiner)) {
      this.next();
      items.push(this.factor());
    }
    if (this.isKeyword(joiner === 'and' ? 'or' : 'and')) throw this.unexpected();
    return { kind: joiner, items };
  }

  private factor(): Condition {
    if (this.isKeyword('not')) {
      this.next();
      return { kind: 'not', item: this.factor() };
    }
    if (this.peek().kind === 'punct' && this.peek().text === '(') {
      this.next();
      const inner = this.condition();
      this.expectPunct(')');
      return inner;
    }
    const field = this.fieldRef();
    if (this.isKeyword('like')) {
      this.next();
      const t = this.next();
      if (t.kind !== 'string') throw this.unexpected(t);
      return { kind: 'like', field, pattern: t.text };
    }
    const negate = this.isKeyword('not') && this.isKeyword('in', 1);
    if (negate) this.next();
    if (this.isKeyword('in')) {
      this.next();
      this.expectPunct('(');
      if (this.isKeyword('select'))
        throw soqlError(
          'MALFORMED_QUERY',
          this.soql,
          this.peek().pos,
          "semi-join subqueries are outside the emulator's SOQL subset",
        );
      const values = [this.literal()];
      while (this.peek().kind === 'punct' && this.peek().text === ',') {
        this.next();
        values.push(this.literal());
      }
      this.expectPunct(')');
      return { kind: 'in', field, negate, values };
    }
    const opToken = this.next();
    if (opToken.kind !== 'op') throw this.unexpected(opToken);
    const op = (opToken.text === '<>' ? '!=' : opToken.text) as ComparisonOp;
    return { kind: 'cmp', field, op, value: this.literal() };
  }

  private literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: t.text };
      case 'number':
        return { kind: 'number', value: Number(t.text) };
      case 'date':
        return { kind: 'date', value: t.text };
      case 'datetime': {
        const ms = Date.parse(t.text);
        if (Number.isNaN(ms))
          throw soqlError('MALFORMED_QUERY', this.soql, t.pos, `invalid date time: ${t.text}`);
        return { kind: 'datetime', value: ms };
      }
      case 'ident': {
        const word = t.text.toLowerCase();
        if (word === 'null') return { kind: 'null' };
        if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true' };
        // Date literals such as TODAY or LAST_N_DAYS:n are outside the subset.
        throw this.unexpected(t);
      }
      default:
        throw this.unexpected(t);
    }
  }
}
