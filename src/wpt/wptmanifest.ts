/**
 * wptmanifest: the format of wptrunner's expectation files (`<metadata>/<test path>.ini`), read
 * and written as wptrunner's own Python does (tools/wptrunner/wptrunner/wptmanifest: a line
 * tokenizer with indentation groups, a parser with a shunting-yard expression builder, a
 * serializer, and the evaluation of conditional values against a run's run_info). No maintained
 * parser exists on npm; this is a port of that grammar, tested with its documented examples.
 *
 *     [fetch.https.window.html]        a test (a heading: its URL's last part, relative to the file)
 *       expected: TIMEOUT              a key: a value, a list, an @atom, or conditional values:
 *       [Subtest name]                 a subtest (a heading inside a test)
 *         expected:
 *           if product == "firefox": [PASS, FAIL]
 *           FAIL                       the default, when no condition matches
 *
 * Where wptrunner's Python would loop forever (an expression line ending in an operator, an
 * identifier followed by a dot) this reports a ParseError instead, and the serializer keeps the
 * parentheses an expression needs (upstream's drops those of `(a or b) and c`).
 */

export class ManifestParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${detail}: ${file || '<string>'} line ${line}`);
    this.name = 'ManifestParseError';
  }
}

// ---- the tree ----

export type CommentKind = 'comment' | 'inline_comment';
export type Comment = [CommentKind, string];

export type AtomName = 'True' | 'False' | 'Reset';
export const ATOMS: readonly AtomName[] = ['True', 'False', 'Reset'];

export type BinaryOperator = '==' | '!=' | 'and' | 'or';
const BINARY_OPERATORS: readonly string[] = ['==', '!=', 'and', 'or'];
const UNARY_OPERATORS: readonly string[] = ['not'];
/** Upstream's order: `==` binds tightest, then `!=`, `not`, `and`, `or`. */
const OPERATORS = ['==', '!=', 'not', 'and', 'or'];
const precedence = (op: string): number => OPERATORS.length - OPERATORS.indexOf(op);

export type Expr =
  | { type: 'binary'; op: BinaryOperator; left: Expr; right: Expr }
  | { type: 'unary'; op: 'not'; operand: Expr }
  | { type: 'variable'; name: string; index: Expr[] }
  | { type: 'string'; value: string; index: Expr[] }
  | { type: 'number'; text: string };

export interface ValueNode {
  type: 'value';
  value: string;
  comments: Comment[];
}
export interface AtomNode {
  type: 'atom';
  atom: AtomName;
  comments: Comment[];
}
export interface ListNode {
  type: 'list';
  items: Array<ValueNode | AtomNode>;
  comments: Comment[];
}
export type PlainValue = ValueNode | AtomNode | ListNode;
export interface ConditionalNode {
  type: 'conditional';
  condition: Expr;
  value: PlainValue;
  comments: Comment[];
}
export interface KeyValueNode {
  type: 'key';
  key: string;
  /** Conditional values in order, then (optionally) the default. */
  values: Array<ConditionalNode | PlainValue>;
  comments: Comment[];
}
export interface DataNode {
  type: 'data';
  /** null for the file itself; a heading's text otherwise. */
  name: string | null;
  children: Array<KeyValueNode | DataNode>;
  comments: Comment[];
}

// ---- tokenizer ----

type TokenType =
  | 'group_start'
  | 'group_end'
  | 'paren'
  | 'list_start'
  | 'list_end'
  | 'separator'
  | 'ident'
  | 'string'
  | 'number'
  | 'atom'
  | 'comment'
  | 'inline_comment'
  | 'eof';
export type Token = [TokenType, string | null];

const EOL = null;
const DIGITS = '0123456789';
const PARENS = '[]()';
const OPERATOR_CHARS = '=!';
const NAMED_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

type State =
  | 'line_start'
  | 'data_line'
  | 'heading'
  | 'key'
  | 'after_key'
  | 'after_expr'
  | 'list_start'
  | 'list_value_start'
  | 'list_value'
  | 'list_value_atom'
  | 'list_end'
  | 'value'
  | 'value_inner'
  | 'value_atom'
  | 'comment'
  | 'inline_comment'
  | 'line_end'
  | 'expr_or_value'
  | 'expr'
  | 'operator'
  | 'digit'
  | 'ident'
  | 'eol';

class Tokenizer {
  private indentLevels = [0];
  private state: State = 'line_start';
  private nextState: State = 'data_line';
  private nextLineState: State | null = 'line_start';
  private line = '';
  private index = 0;
  private lineNumber = 0;
  private readonly out: Token[] = [];
  /** The line of each token, for the parser's errors. */
  readonly lines: number[] = [];

  constructor(private readonly file: string) {}

  tokenize(text: string): Token[] {
    // Python iterates the stream's lines and rstrips each; a final newline adds no line.
    const lines = text.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    for (const [i, raw] of lines.entries()) {
      this.state = this.nextLineState ?? 'line_start';
      this.nextLineState = null;
      this.lineNumber = i + 1;
      this.index = 0;
      this.line = raw.replace(/\s+$/, '');
      while (this.state !== 'eol') this.step();
      if (this.nextLineState === null) this.nextLineState = 'line_start';
    }
    this.emit('eof', null);
    return this.out;
  }

  private error(detail: string): never {
    throw new ManifestParseError(this.file, this.lineNumber, detail);
  }

  private char(): string | null {
    return this.index >= this.line.length ? EOL : this.line[this.index];
  }

  private consume(): void {
    if (this.index < this.line.length) this.index++;
  }

  private skipWhitespace(): void {
    while (this.char() === ' ') this.consume();
  }

  private emit(type: TokenType, value: string | null): void {
    this.out.push([type, value]);
    this.lines.push(this.lineNumber);
  }

  // long: one case per state of upstream's tokenizer, kept together so the port reads against it.
  private step(): void {
    switch (this.state) {
      case 'line_start':
        return this.lineStart();
      case 'data_line':
        if (this.char() === '[') {
          this.emit('paren', '[');
          this.consume();
          this.state = 'heading';
        } else this.state = 'key';
        return;
      case 'heading':
        return this.heading();
      case 'key':
        return this.key();
      case 'after_key':
      case 'after_expr': {
        this.skipWhitespace();
        const c = this.char();
        if (c === '#' || c === EOL) {
          this.nextState = this.state === 'after_key' ? 'expr_or_value' : 'after_expr';
          this.state = 'line_end';
        } else if (c === '[') this.state = 'list_start';
        else this.state = 'value';
        return;
      }
      case 'list_start':
        this.emit('list_start', '[');
        this.consume();
        this.state = 'list_value_start';
        return;
      case 'list_value_start':
        return this.listValueStart();
      case 'list_value':
      case 'list_value_atom':
        return this.listValue(this.state === 'list_value_atom');
      case 'list_end':
        this.consume();
        this.emit('list_end', ']');
        this.state = 'line_end';
        return;
      case 'value':
        return this.value();
      case 'value_inner':
      case 'value_atom':
        return this.valueInner(this.state === 'value_atom');
      case 'comment':
      case 'inline_comment':
        this.emit(this.state, this.consumeComment());
        this.state = 'eol';
        return;
      case 'line_end': {
        this.skipWhitespace();
        const c = this.char();
        if (c === '#') this.state = 'inline_comment';
        else if (c === EOL) this.state = 'eol';
        else this.error(`Junk before EOL ${c}`);
        return;
      }
      case 'expr_or_value':
        this.state = this.line.slice(this.index, this.index + 3) === 'if ' ? 'expr' : 'value';
        return;
      case 'expr':
        return this.expr();
      case 'operator':
        return this.operator();
      case 'digit':
        return this.digit();
      case 'ident':
        return this.ident();
      case 'eol':
        return;
    }
  }

  private lineStart(): void {
    this.skipWhitespace();
    if (this.char() === EOL) {
      this.state = 'eol';
      return;
    }
    if (this.char() === '#') {
      this.state = 'comment';
      return;
    }
    const top = this.indentLevels[this.indentLevels.length - 1];
    if (this.index > top) {
      this.indentLevels.push(this.index);
      this.emit('group_start', null);
    } else {
      if (this.index < top) {
        while (this.index < this.indentLevels[this.indentLevels.length - 1]) {
          this.indentLevels.pop();
          this.emit('group_end', null);
        }
        // A dedent always starts a heading or a key (upstream: "This is terrible").
        this.nextState = 'data_line';
      }
      if (this.index !== this.indentLevels[this.indentLevels.length - 1]) this.error('Unexpected indent');
    }
    this.state = this.nextState;
  }

  private heading(): void {
    let rv = '';
    for (;;) {
      const c = this.char();
      if (c === '\\') rv += this.consumeEscape();
      else if (c === ']') break;
      else if (c === EOL) this.error('EOL in heading');
      else {
        rv += c;
        this.consume();
      }
    }
    this.emit('string', rv);
    this.emit('paren', ']');
    this.consume();
    this.state = 'line_end';
    this.nextState = 'data_line';
  }

  private key(): void {
    let rv = '';
    for (;;) {
      const c = this.char();
      if (c === ' ') {
        this.skipWhitespace();
        if (this.char() !== ':') this.error('Space in key name');
        break;
      } else if (c === ':') break;
      else if (c === EOL) this.error("EOL in key name (missing ':'?)");
      else if (c === '\\') rv += this.consumeEscape();
      else {
        rv += c;
        this.consume();
      }
    }
    this.emit('string', rv);
    this.emit('separator', ':');
    this.consume();
    this.state = 'after_key';
  }

  private listValueStart(): void {
    this.skipWhitespace();
    const c = this.char();
    if (c === ']') this.state = 'list_end';
    else if (c === "'" || c === '"') {
      this.consume();
      this.emit('string', this.consumeString(c));
      this.skipWhitespace();
      if (this.char() === ']') this.state = 'list_end';
      else if (this.char() !== ',') this.error('Junk after quoted string');
      this.consume();
    } else if (c === '#' || c === EOL) {
      this.state = 'line_end';
      this.nextLineState = 'list_value_start';
    } else if (c === ',') this.error('List item started with separator');
    else if (c === '@') {
      this.consume();
      this.state = 'list_value_atom';
    } else this.state = 'list_value';
  }

  private listValue(atom: boolean): void {
    let rv = '';
    let spaces = 0;
    for (;;) {
      const c = this.char();
      if (c === '\\') rv += this.consumeEscape();
      else if (c === EOL) this.error('EOL in list value');
      else if (c === '#') this.error('EOL in list value (comment)');
      else if (c === ',') {
        this.state = 'list_value_start';
        this.consume();
        break;
      } else if (c === ' ') {
        spaces++;
        this.consume();
      } else if (c === ']') {
        this.state = 'list_end';
        this.consume();
        break;
      } else {
        rv += ' '.repeat(spaces) + c;
        spaces = 0;
        this.consume();
      }
    }
    if (rv) this.emit(atom ? 'atom' : 'string', rv);
  }

  private value(): void {
    this.skipWhitespace();
    const c = this.char();
    if (c === "'" || c === '"') {
      this.consume();
      this.emit('string', this.consumeString(c));
      this.state = 'line_end';
    } else if (c === '@') {
      this.consume();
      this.state = 'value_atom';
    } else if (c === '[') this.state = 'list_start';
    else this.state = 'value_inner';
  }

  private valueInner(atom: boolean): void {
    let rv = '';
    let spaces = 0;
    for (;;) {
      const c = this.char();
      if (c === '\\') rv += this.consumeEscape();
      else if (c === '#' || c === EOL) {
        this.state = 'line_end';
        break;
      } else if (c === ' ') {
        // Whitespace before a comment is not part of the value.
        spaces++;
        this.consume();
      } else {
        rv += ' '.repeat(spaces) + c;
        spaces = 0;
        this.consume();
      }
    }
    if (rv.startsWith('if ')) this.error("Strings starting 'if ' must be quoted (expressions must start on a newline and be indented)");
    this.emit(atom ? 'atom' : 'string', rv);
  }

  private consumeComment(): string {
    this.consume();
    const rv = this.line.slice(this.index);
    this.index = this.line.length;
    return rv;
  }

  private consumeString(quote: string): string {
    let rv = '';
    for (;;) {
      const c = this.char();
      if (c === '\\') rv += this.consumeEscape();
      else if (c === quote) {
        this.consume();
        return rv;
      } else if (c === EOL) this.error('EOL in quoted string');
      else {
        rv += c;
        this.consume();
      }
    }
  }

  private expr(): void {
    this.skipWhitespace();
    const c = this.char();
    if (c === EOL) this.error('EOL in expression');
    else if (c === "'" || c === '"') {
      this.consume();
      this.emit('string', this.consumeString(c));
    } else if (c === '#') this.error('Comment before end of expression');
    else if (c === ':') {
      this.emit('separator', c);
      this.consume();
      this.state = 'after_expr';
    } else if (PARENS.includes(c)) {
      this.consume();
      this.emit('paren', c);
    } else if (OPERATOR_CHARS.includes(c)) this.state = 'operator';
    else if (DIGITS.includes(c)) this.state = 'digit';
    else this.state = 'ident';
  }

  private operator(): void {
    const start = this.index;
    while (this.char() !== EOL && OPERATOR_CHARS.includes(this.char()!)) this.consume();
    this.state = 'expr';
    this.emit('ident', this.line.slice(start, this.index));
  }

  private digit(): void {
    const start = this.index;
    let seenDot = false;
    for (;;) {
      const c = this.char();
      if (c === EOL || PARENS.includes(c) || OPERATOR_CHARS.includes(c) || c === ' ' || c === ':') break;
      if (DIGITS.includes(c)) this.consume();
      else if (c === '.') {
        if (seenDot) this.error('Invalid number');
        seenDot = true;
        this.consume();
      } else this.error('Invalid character in number');
    }
    this.state = 'expr';
    this.emit('number', this.line.slice(start, this.index));
  }

  private ident(): void {
    const start = this.index;
    for (;;) {
      const c = this.char();
      if (c === EOL || c === '.' || PARENS.includes(c) || OPERATOR_CHARS.includes(c) || c === ' ' || c === ':') break;
      this.consume();
    }
    if (this.index === start) this.error(`Unexpected character ${this.char() ?? 'EOL'} in expression`);
    this.state = 'expr';
    this.emit('ident', this.line.slice(start, this.index));
  }

  private consumeEscape(): string {
    this.consume();
    const c = this.char();
    this.consume();
    if (c === EOL) this.error('EOL in escape');
    if (c === 'x') return this.decodeEscape(2);
    if (c === 'u') return this.decodeEscape(4);
    if (c === 'U') return this.decodeEscape(6);
    return NAMED_ESCAPES[c] ?? c;
  }

  private decodeEscape(length: number): string {
    let value = 0;
    for (let i = 0; i < length; i++) {
      const c = this.char();
      const digit = c === EOL ? NaN : parseInt(c, 16);
      if (Number.isNaN(digit)) this.error('Invalid character escape');
      value = value * 16 + digit;
      this.consume();
    }
    if (value > 0x10ffff) this.error('Invalid character escape');
    return String.fromCodePoint(value);
  }
}

export function tokenize(text: string, file = ''): Token[] {
  return new Tokenizer(file).tokenize(text);
}

// ---- parser ----

type Operator = { op: string; unary: boolean } | null;

class ExpressionBuilder {
  readonly operands: Expr[] = [];
  readonly operators: Operator[] = [null];

  constructor(private readonly fail: (detail: string) => never) {}

  finish(): Expr {
    while (this.operators[this.operators.length - 1] !== null) this.popOperator();
    const rv = this.operands.pop();
    if (!rv || this.operands.length || this.operators.some((o) => o !== null)) this.fail('Unbalanced expression');
    return rv;
  }

  leftParen(): void {
    this.operators.push(null);
  }

  rightParen(): void {
    while (this.operators[this.operators.length - 1] !== null) this.popOperator();
    this.operators.pop();
    if (!this.operators.length) this.fail('Unbalanced parens');
  }

  pushOperator(op: { op: string; unary: boolean }): void {
    const prec = (o: Operator) => (o === null ? 0 : precedence(o.op));
    while (prec(this.operators[this.operators.length - 1]) > prec(op)) this.popOperator();
    this.operators.push(op);
  }

  private popOperator(): void {
    const operator = this.operators.pop()!;
    if (!operator.unary) {
      const right = this.operands.pop();
      const left = this.operands.pop();
      if (!left || !right) this.fail(`Missing operand of ${operator.op}`);
      this.operands.push({ type: 'binary', op: operator.op as BinaryOperator, left, right });
    } else {
      const operand = this.operands.pop();
      if (!operand) this.fail(`Missing operand of ${operator.op}`);
      this.operands.push({ type: 'unary', op: 'not', operand });
    }
  }
}

class Parser {
  private tokens: Token[] = [];
  private pos = 0;
  private token: Token = ['eof', null];
  private comments: Comment[] = [];
  private readonly root: DataNode = { type: 'data', name: null, children: [], comments: [] };
  /** The node comments attach to: the innermost open heading, key or conditional value. */
  private stack: Array<DataNode | KeyValueNode | ConditionalNode> = [this.root];
  private builder: ExpressionBuilder | null = null;

  constructor(private readonly file: string) {}

  parse(text: string): DataNode {
    const tokenizer = new Tokenizer(this.file);
    this.tokens = tokenizer.tokenize(text);
    this.lines = tokenizer.lines;
    this.consume();
    this.dataBlock();
    this.expect('eof');
    return this.root;
  }

  private lines: number[] = [];

  private error(detail: string): never {
    throw new ManifestParseError(this.file, this.lines[Math.min(this.pos, this.lines.length) - 1] ?? 0, detail);
  }

  private consume(): void {
    this.token = this.tokens[Math.min(this.pos, this.tokens.length - 1)];
    this.pos++;
  }

  private expect(type: TokenType, value?: string): void {
    if (this.type() !== type) this.error(`Token '${this.type()}' doesn't equal expected type '${type}'`);
    if (value !== undefined && this.token[1] !== value) this.error(`Token '${this.token[1]}' doesn't equal expected value '${value}'`);
    this.consume();
  }

  /** The current token's type (a call: TypeScript must not narrow it across consume()). */
  private type(): TokenType {
    return this.token[0];
  }

  private get node(): DataNode | KeyValueNode | ConditionalNode {
    return this.stack[this.stack.length - 1];
  }

  private maybeConsumeInlineComment(): void {
    if (this.type() === 'inline_comment') {
      this.comments.push(['inline_comment', this.token[1]!]);
      this.consume();
    }
  }

  private consumeComments(): void {
    while (this.type() === 'comment') {
      this.comments.push(['comment', this.token[1]!]);
      this.consume();
    }
  }

  private flushComments(node?: { comments: Comment[] }): void {
    (node ?? this.node).comments.push(...this.comments);
    this.comments = [];
  }

  private dataBlock(): void {
    while (this.type() === 'comment' || this.type() === 'string' || this.type() === 'paren') {
      if (this.type() === 'comment') this.consumeComments();
      else if (this.type() === 'string') {
        const kv: KeyValueNode = { type: 'key', key: this.token[1]!, values: [], comments: [] };
        (this.node as DataNode).children.push(kv);
        this.stack.push(kv);
        this.consume();
        this.expect('separator');
        this.maybeConsumeInlineComment();
        this.flushComments();
        this.consumeComments();
        this.valueBlock(kv.values);
        this.flushComments();
        this.stack.pop();
      } else {
        this.expect('paren', '[');
        if (this.type() !== 'string') this.error(`Token '${this.type()}' is not a string`);
        const data: DataNode = { type: 'data', name: this.token[1]!, children: [], comments: [] };
        (this.node as DataNode).children.push(data);
        this.stack.push(data);
        this.consume();
        this.expect('paren', ']');
        this.maybeConsumeInlineComment();
        this.flushComments();
        this.consumeComments();
        if (this.type() === 'group_start') {
          this.consume();
          this.dataBlock();
          this.eofOrEndGroup();
        }
        this.stack.pop();
      }
    }
  }

  private eofOrEndGroup(): void {
    if (this.type() !== 'eof') this.expect('group_end');
  }

  /** A key's values, or a condition's: `out` receives them. */
  private valueBlock(out: Array<ConditionalNode | PlainValue>): void {
    const t = this.type();
    if (t === 'list_start') {
      this.consume();
      out.push(this.listValue());
    } else if (t === 'string') out.push(this.value());
    else if (t === 'atom') out.push(this.atom());
    else if (t === 'group_start') {
      this.consume();
      this.expressionValues(out);
      let fallback: PlainValue | null = null;
      if (this.type() === 'string') fallback = this.value();
      else if (this.type() === 'atom') fallback = this.atom();
      else if (this.type() === 'list_start') {
        this.consume();
        fallback = this.listValue();
      }
      if (fallback) out.push(fallback);
      this.consumeComments();
      this.flushComments(fallback ?? undefined);
      this.eofOrEndGroup();
    } else this.error(`Token '${t}' is not a known type`);
  }

  private listValue(): ListNode {
    const list: ListNode = { type: 'list', items: [], comments: [] };
    while (this.type() === 'atom' || this.type() === 'string') list.items.push(this.type() === 'atom' ? this.atom() : this.value());
    this.expect('list_end');
    this.maybeConsumeInlineComment();
    return list;
  }

  private expressionValues(out: Array<ConditionalNode | PlainValue>): void {
    this.consumeComments();
    while (this.type() === 'ident' && this.token[1] === 'if') {
      this.consume();
      const cond: ConditionalNode = {
        type: 'conditional',
        condition: this.exprStart(),
        value: { type: 'value', value: '', comments: [] },
        comments: [],
      };
      out.push(cond);
      this.stack.push(cond);
      this.expect('separator');
      const values: Array<ConditionalNode | PlainValue> = [];
      this.valueBlock(values);
      const value = values[values.length - 1];
      if (values.length !== 1 || value.type === 'conditional') this.error('A condition takes one value');
      cond.value = value;
      this.flushComments();
      this.stack.pop();
      this.consumeComments();
    }
  }

  private value(): ValueNode {
    const node: ValueNode = { type: 'value', value: this.token[1]!, comments: [] };
    this.consume();
    this.maybeConsumeInlineComment();
    return node;
  }

  private atom(): AtomNode {
    const name = this.token[1]!;
    if (!(ATOMS as readonly string[]).includes(name)) this.error(`Unrecognised symbol @${name}`);
    this.consume();
    this.maybeConsumeInlineComment();
    return { type: 'atom', atom: name as AtomName, comments: [] };
  }

  private exprStart(): Expr {
    const outer = this.builder;
    this.builder = new ExpressionBuilder((d) => this.error(d));
    this.expr();
    const expression = this.builder.finish();
    this.builder = outer;
    return expression;
  }

  private expr(): void {
    this.exprOperand();
    while (this.type() === 'ident' && BINARY_OPERATORS.includes(this.token[1]!)) {
      this.builder!.pushOperator({ op: this.token[1]!, unary: false });
      this.consume();
      this.exprOperand();
    }
  }

  private exprOperand(): void {
    const [type, value] = this.token;
    if (type === 'paren' && value === '(') {
      this.consume();
      this.builder!.leftParen();
      this.expr();
      this.expect('paren', ')');
      this.builder!.rightParen();
    } else if (type === 'ident' && UNARY_OPERATORS.includes(value!)) {
      this.builder!.pushOperator({ op: value!, unary: true });
      this.consume();
      this.exprOperand();
    } else if (type === 'string' || type === 'ident') {
      const node: Expr = type === 'string' ? { type: 'string', value: value!, index: [] } : { type: 'variable', name: value!, index: [] };
      this.builder!.operands.push(node);
      this.consume();
      // Upstream takes one index: `a[0]`, `"abc"[1]`.
      if (this.type() === 'paren' && this.token[1] === '[') {
        this.consume();
        node.index.push(this.exprStart());
        this.expect('paren', ']');
      }
    } else if (type === 'number') {
      this.builder!.operands.push({ type: 'number', text: value! });
      this.consume();
    } else this.error('Unrecognised operand');
  }
}

export function parse(text: string, file = ''): DataNode {
  return new Parser(file).parse(text);
}

// ---- serializer ----

const CONTROL_ESCAPES: Record<string, string> = {
  '\x07': '\\x07',
  '\b': '\\x08',
  '\f': '\\x0c',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\x0b',
};

/** Python's `unicode_escape` of the named escapes, `\\`, `\xNN` for other control characters, `\` before `extras`. */
export function escape(s: string, extras = ''): string {
  let rv = '';
  for (const c of s) {
    if (c in CONTROL_ESCAPES) rv += CONTROL_ESCAPES[c];
    else if (c === '\\') rv += '\\\\';
    else if (c < '\x20') rv += `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else if (extras.includes(c)) rv += `\\${c}`;
    else rv += c;
  }
  return rv;
}

function withComments(node: { comments: Comment[] }, lines: string[]): string[] {
  const comments = node.comments.map(([, text]) => `#${text}`);
  // Upstream's check: a first line holding '#' (escaped or quoted) takes no inline comment.
  if (lines.length && !lines[0].includes('#')) {
    const i = node.comments.findIndex(([kind]) => kind === 'inline_comment');
    if (i >= 0) {
      lines[0] += `  #${node.comments[i][1]}`;
      comments.splice(i, 1);
    }
  }
  return [...comments, ...lines];
}

function serializeValue(node: ValueNode | AtomNode, inList: boolean): string {
  if (node.type === 'atom') return `@${node.atom}`;
  const data = node.value;
  let quote = '';
  if (data.includes('#') || data.startsWith('if ') || (inList && (data.includes(',') || data.includes(']'))))
    quote = data.includes('"') ? "'" : '"';
  return quote + escape(data, quote) + quote;
}

function serializePlain(node: PlainValue): string {
  if (node.type === 'list') return `[${node.items.map((i) => serializeValue(i, true)).join(', ')}]`;
  return serializeValue(node, false);
}

export function serializeExpr(e: Expr): string {
  switch (e.type) {
    case 'number':
      return e.text;
    case 'string':
      return `"${escape(e.value, '"')}"${e.index.map((i) => `[${serializeExpr(i)}]`).join('')}`;
    case 'variable':
      return `${escape(e.name)}${e.index.map((i) => `[${serializeExpr(i)}]`).join('')}`;
    case 'unary': {
      const inner = serializeExpr(e.operand);
      return `not ${e.operand.type === 'binary' ? `(${inner})` : inner}`;
    }
    case 'binary': {
      // Parenthesised where the precedences differ: upstream's style `(os == "linux") and debug`,
      // and the parentheses `(a or b) and c` needs.
      const side = (c: Expr) => (c.type === 'binary' && precedence(c.op) !== precedence(e.op) ? `(${serializeExpr(c)})` : serializeExpr(c));
      return `${side(e.left)} ${e.op} ${side(e.right)}`;
    }
  }
}

function serializeKey(node: KeyValueNode): string[] {
  const head = `${escape(node.key, ':')}:`;
  const only = node.values.length === 1 ? node.values[0] : null;
  if (only && only.type !== 'conditional') {
    // The value's own comment lines go above the key (upstream keeps only their first line).
    const value = withComments(only, [serializePlain(only)]);
    const out = withComments(node, [`${head} ${value[value.length - 1]}`]);
    out.splice(out.length - 1, 0, ...value.slice(0, -1));
    return out;
  }
  const lines = [head];
  for (const v of node.values) {
    const text =
      v.type === 'conditional'
        ? withComments(v, [`if ${serializeExpr(v.condition)}: ${serializePlain(v.value)}`])
        : withComments(v, [serializePlain(v)]);
    lines.push(...text.map((l) => `  ${l}`));
  }
  return withComments(node, lines);
}

function serializeData(node: DataNode, nested: boolean): string[] {
  const rv: string[] = [];
  const indent = node.name !== null ? '  ' : '';
  if (node.name !== null) rv.push(`[${escape(node.name, ']')}]`);
  for (const child of node.children) {
    const lines = child.type === 'data' ? serializeData(child, true) : serializeKey(child);
    rv.push(...lines.map((l) => (l ? indent + l : l)));
  }
  if (nested) rv.push('');
  return withComments(node, rv);
}

/** The file's text, as upstream's serializer writes it: two-space indents, a blank line after each heading's block. */
export function serialize(root: DataNode): string {
  const text = serializeData(root, false).join('\n').trim();
  return text ? `${text}\n` : '';
}

// ---- evaluation (wptrunner's conditional backend) ----

export type RunInfoValue = string | number | boolean | null;
export type RunInfo = Readonly<Record<string, RunInfoValue>>;

class MissingVariable extends Error {}

type Scalar = RunInfoValue | undefined;

function evaluate(e: Expr, runInfo: RunInfo): Scalar {
  switch (e.type) {
    case 'number':
      return Number(e.text);
    case 'string':
    case 'variable': {
      let v: unknown = e.type === 'string' ? e.value : Object.hasOwn(runInfo, e.name) ? runInfo[e.name] : undefined;
      if (v === undefined) throw new MissingVariable(e.type === 'variable' ? e.name : '');
      for (const i of e.index) {
        const k = evaluate(i, runInfo);
        v = typeof v === 'string' && typeof k === 'number' ? v[k < 0 ? v.length + k : k] : undefined;
        if (v === undefined) throw new MissingVariable(String(k));
      }
      return v as Scalar;
    }
    case 'unary':
      return !truthy(evaluate(e.operand, runInfo));
    case 'binary': {
      const left = evaluate(e.left, runInfo);
      const right = evaluate(e.right, runInfo);
      if (e.op === '==') return left === right;
      if (e.op === '!=') return left !== right;
      return e.op === 'and' ? truthy(left) && truthy(right) : truthy(left) || truthy(right);
    }
  }
}

/** Python's truth: '', 0, False, None are false. */
const truthy = (v: Scalar): boolean => v !== '' && v !== 0 && v !== false && v !== null && v !== undefined;

/** Whether a condition holds for a run: one naming a property the run_info lacks does not (wptrunner: KeyError, no match). */
export function matches(condition: Expr, runInfo: RunInfo): boolean {
  try {
    return truthy(evaluate(condition, runInfo));
  } catch (e) {
    if (e instanceof MissingVariable) return false;
    throw e;
  }
}

export type Value = string | boolean | null | Array<string | boolean | null>;

function plainValue(v: PlainValue): Value {
  const one = (x: ValueNode | AtomNode) => (x.type === 'value' ? x.value : x.atom === 'Reset' ? null : x.atom === 'True');
  return v.type === 'list' ? v.items.map(one) : one(v);
}

/** Index into `values` of the entry a run takes (the first matching condition, else the default), or -1. */
export function selectValue(node: KeyValueNode, runInfo: RunInfo): number {
  return node.values.findIndex((v) => v.type !== 'conditional' || matches(v.condition, runInfo));
}

/** A key's value for a run, or undefined when no value applies. @Reset is null, @True/@False booleans. */
export function valueFor(node: KeyValueNode, runInfo: RunInfo): Value | undefined {
  const i = selectValue(node, runInfo);
  if (i < 0) return undefined;
  const v = node.values[i];
  return plainValue(v.type === 'conditional' ? v.value : v);
}

/** The key's node in a heading (not its parents). */
export function keyNode(data: DataNode, key: string): KeyValueNode | undefined {
  return data.children.find((c): c is KeyValueNode => c.type === 'key' && c.key === key);
}

/** A heading directly inside `data`. */
export function section(data: DataNode, name: string): DataNode | undefined {
  return data.children.find((c): c is DataNode => c.type === 'data' && c.name === name);
}
