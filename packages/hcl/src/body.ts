// The syntax-independent body API (hcl.Body): a body is read against a
// schema of the attributes and blocks it may contain. Both the native
// syntax and the JSON syntax implement it, so that a configuration
// language (Packer's blocks) is decoded once for both.

import { errorDiag, type Diagnostic } from './diag.ts';
import { rangeString, SpanRange, type Range } from './range.ts';
import type { Block as AstBlock, Body as AstBody, Expr } from './syntax/ast.ts';
import { blockDefRange } from './syntax/ast.ts';
import { nameSuggestion } from './syntax/parser.ts';
import type { JsonExpr } from './json/ast.ts';
import type { BoundExpr } from './dynblock.ts';

/** An expression of either syntax (or one bound to a dynamic block's iterator). */
export type Expression = Expr | JsonExpr | BoundExpr;

export interface AttributeSchema {
  name: string;
  required?: boolean;
}

export interface BlockHeaderSchema {
  type: string;
  labelNames?: string[];
}

export interface BodySchema {
  attributes?: AttributeSchema[];
  blocks?: BlockHeaderSchema[];
}

export interface Attribute {
  readonly name: string;
  readonly expr: Expression;
  readonly range: Range;
  readonly nameRange: Range;
}

export interface Block {
  readonly type: string;
  readonly labels: string[];
  readonly body: Body;
  /** the block header: type through last label */
  readonly defRange: Range;
  readonly typeRange: Range;
  readonly labelRanges: Range[];
}

export interface BodyContent {
  /** by name, in source order */
  attributes: Map<string, Attribute>;
  /** in source order */
  blocks: Block[];
  missingItemRange: Range;
}

export interface Body {
  /** The content for `schema`; anything else in the body is an error. */
  content(schema: BodySchema): { content: BodyContent; diags: Diagnostic[] };
  /** The content for `schema`, and a body of what remains. */
  partialContent(schema: BodySchema): { content: BodyContent; remain: Body; diags: Diagnostic[] };
  /** The body read as attributes only (blocks are an error). */
  justAttributes(): { attributes: Map<string, Attribute>; diags: Diagnostic[] };
  /** Where to report an item that is missing. */
  missingItemRange(): Range;
}

function q(s: string): string {
  return JSON.stringify(s);
}

/** Diagnostics for items that no schema consumed, with hclsyntax's wording. */
export function unsupportedAttributeDiag(name: string, nameRange: Range, schema: BodySchema, defined: ReadonlyMap<string, unknown>): Diagnostic {
  const candidates = (schema.attributes ?? []).filter((a) => !defined.has(a.name)).map((a) => a.name);
  let suggestion = nameSuggestion(name, candidates);
  if (suggestion) suggestion = ` Did you mean ${q(suggestion)}?`;
  else if ((schema.blocks ?? []).some((b) => b.type === name)) suggestion = ` Did you mean to define a block of type ${q(name)}?`;
  return errorDiag('Unsupported argument', `An argument named ${q(name)} is not expected here.${suggestion}`, nameRange);
}

export function unsupportedBlockDiag(type: string, typeRange: Range, schema: BodySchema): Diagnostic {
  let suggestion = nameSuggestion(
    type,
    (schema.blocks ?? []).map((b) => b.type),
  );
  if (suggestion) suggestion = ` Did you mean ${q(suggestion)}?`;
  else if ((schema.attributes ?? []).some((a) => a.name === type)) suggestion = ` Did you mean to define argument ${q(type)}? If so, use the equals sign to assign it a value.`;
  return errorDiag('Unsupported block type', `Blocks of type ${q(type)} are not expected here.${suggestion}`, typeRange);
}

/** The hidden names of a body that hides none (never changed: a body hiding more copies it). */
const NO_NAMES: ReadonlySet<string> = new Set();

/** hcl.Body over a native-syntax body. */
export class NativeBody implements Body {
  // declared fields: assigned by the constructor only (no field initializer per body)
  declare readonly ast: AstBody;
  declare private readonly hiddenAttrs: ReadonlySet<string>;
  declare private readonly hiddenBlocks: ReadonlySet<string>;
  constructor(ast: AstBody, hiddenAttrs: ReadonlySet<string> = NO_NAMES, hiddenBlocks: ReadonlySet<string> = NO_NAMES) {
    this.ast = ast;
    this.hiddenAttrs = hiddenAttrs;
    this.hiddenBlocks = hiddenBlocks;
  }

  missingItemRange(): Range {
    const r = this.ast.range;
    return { filename: r.filename, start: r.start, end: r.start };
  }

  content(schema: BodySchema): { content: BodyContent; diags: Diagnostic[] } {
    const { content, remain, diags } = this.partialContent(schema);
    const rem = remain as NativeBody;
    const astAttrs = this.ast.attributes;
    for (let i = 0; i < astAttrs.length; i++) {
      const attr = astAttrs[i]!;
      if (!rem.hiddenAttrs.has(attr.name)) diags.push(unsupportedAttributeDiag(attr.name, attr.nameRange, schema, content.attributes));
    }
    const astBlocks = this.ast.blocks;
    for (let i = 0; i < astBlocks.length; i++) {
      const block = astBlocks[i]!;
      if (!rem.hiddenBlocks.has(block.type)) diags.push(unsupportedBlockDiag(block.type, block.typeRange, schema));
    }
    return { content, diags };
  }

  partialContent(schema: BodySchema): { content: BodyContent; remain: Body; diags: Diagnostic[] } {
    const attrs = new Map<string, Attribute>();
    const blocks: Block[] = [];
    const diags: Diagnostic[] = [];
    const hiddenAttrs = new Set(this.hiddenAttrs);
    const hiddenBlocks = new Set(this.hiddenBlocks);
    const wantedAttrs = schema.attributes ?? [];
    const byName = new Map(this.ast.attributes.map((a) => [a.name, a]));
    for (const as of wantedAttrs) {
      const attr = byName.get(as.name);
      if (!attr || this.hiddenAttrs.has(as.name)) {
        if (as.required) diags.push(errorDiag('Missing required argument', `The argument ${q(as.name)} is required, but no definition was found.`, this.missingItemRange()));
        continue;
      }
      hiddenAttrs.add(as.name);
    }
    // source order for the attributes found
    for (const a of this.ast.attributes) {
      if (hiddenAttrs.has(a.name) && !this.hiddenAttrs.has(a.name)) attrs.set(a.name, { name: a.name, expr: a.expr, range: a.range, nameRange: a.nameRange });
    }
    const blocksWanted = new Map((schema.blocks ?? []).map((b) => [b.type, b]));
    const astBlocks = this.ast.blocks;
    const hidden = this.hiddenBlocks;
    for (let i = 0; i < astBlocks.length; i++) {
      const block = astBlocks[i]!;
      if (hidden.size !== 0 && hidden.has(block.type)) continue;
      const bs = blocksWanted.get(block.type);
      if (!bs) continue;
      const labelNames = bs.labelNames ?? [];
      const nl = block.labels.length;
      if (nl === labelNames.length) {
        blocks.push(nativeBlock(block));
        continue;
      }
      const ctxRange = { filename: block.typeRange.filename, start: block.typeRange.start, end: block.openBraceRange.end };
      if (block.labels.length > labelNames.length) {
        if (labelNames.length === 0) {
          diags.push(errorDiag(`Extraneous label for ${block.type}`, `No labels are expected for ${block.type} blocks.`, block.labelRanges[0], ctxRange));
        } else {
          diags.push(errorDiag(`Extraneous label for ${block.type}`, `Only ${labelNames.length} labels (${labelNames.join(', ')}) are expected for ${block.type} blocks.`, block.labelRanges[labelNames.length], ctxRange));
        }
        continue;
      }
      if (block.labels.length < labelNames.length) {
        diags.push(errorDiag(`Missing ${labelNames[block.labels.length]} for ${block.type}`, `All ${block.type} blocks must have ${labelNames.length} labels (${labelNames.join(', ')}).`, block.openBraceRange, ctxRange));
        continue;
      }
      blocks.push(nativeBlock(block));
    }
    for (const bs of schema.blocks ?? []) hiddenBlocks.add(bs.type);
    return {
      content: { attributes: attrs, blocks, missingItemRange: this.missingItemRange() },
      remain: new NativeBody(this.ast, hiddenAttrs, hiddenBlocks),
      diags,
    };
  }

  justAttributes(): { attributes: Map<string, Attribute>; diags: Diagnostic[] } {
    const attrs = new Map<string, Attribute>();
    const diags: Diagnostic[] = [];
    if (this.ast.blocks.length > 0) {
      const ex = this.ast.blocks[0]!;
      diags.push(errorDiag(`Unexpected ${q(ex.type)} block`, 'Blocks are not allowed here.', ex.typeRange));
    }
    for (const a of this.ast.attributes) {
      if (this.hiddenAttrs.has(a.name)) continue;
      attrs.set(a.name, { name: a.name, expr: a.expr, range: a.range, nameRange: a.nameRange });
    }
    return { attributes: attrs, diags };
  }
}

function nativeBlock(b: AstBlock): Block {
  return { type: b.type, labels: b.labels, body: new NativeBody(b.body), defRange: defRange(b), typeRange: b.typeRange, labelRanges: b.labelRanges };
}

/** blockDefRange, its positions found when read (most blocks' never are) when the parser's ranges are spans of one text. */
function defRange(b: AstBlock): Range {
  const first = b.typeRange;
  const lr = b.labelRanges;
  const last = lr.length > 0 ? lr[lr.length - 1]! : first;
  if (first instanceof SpanRange && last instanceof SpanRange && first.lines === last.lines) return new SpanRange(first.lines, first.s, last.e);
  return blockDefRange(b);
}

/**
 * Several bodies read as one (hcl.MergeBodies), as a directory of files
 * is: attributes defined in more than one of them are an error.
 */
export class MergedBody implements Body {
  constructor(readonly bodies: readonly Body[]) {}

  missingItemRange(): Range {
    if (this.bodies.length === 0) return { filename: '<empty>', start: { byte: 0, line: 1, column: 1 }, end: { byte: 0, line: 1, column: 1 } };
    return this.bodies[0]!.missingItemRange();
  }

  content(schema: BodySchema): { content: BodyContent; diags: Diagnostic[] } {
    return this.merge(schema, (b, s) => {
      const r = b.content(s);
      return { content: r.content, remain: b, diags: r.diags };
    });
  }

  partialContent(schema: BodySchema): { content: BodyContent; remain: Body; diags: Diagnostic[] } {
    const remains: Body[] = [];
    const r = this.merge(schema, (b, s) => {
      const p = b.partialContent(s);
      remains.push(p.remain);
      return p;
    });
    return { content: r.content, remain: new MergedBody(remains), diags: r.diags };
  }

  private merge(schema: BodySchema, read: (b: Body, s: BodySchema) => { content: BodyContent; remain: Body; diags: Diagnostic[] }): { content: BodyContent; diags: Diagnostic[] } {
    const attrs = new Map<string, Attribute>();
    const blocks: Block[] = [];
    const diags: Diagnostic[] = [];
    // "required" is checked over all bodies together
    const lax: BodySchema = { attributes: (schema.attributes ?? []).map((a) => ({ name: a.name })), blocks: schema.blocks };
    for (const b of this.bodies) {
      const r = read(b, lax);
      diags.push(...r.diags);
      for (const [name, a] of r.content.attributes) {
        const prev = attrs.get(name);
        if (prev) {
          diags.push(errorDiag('Duplicate argument', `Argument ${q(name)} was already set at ${rangeString(prev.nameRange)}`, a.nameRange));
          continue;
        }
        attrs.set(name, a);
      }
      blocks.push(...r.content.blocks);
    }
    for (const as of schema.attributes ?? []) {
      if (as.required && !attrs.has(as.name)) diags.push(errorDiag('Missing required argument', `The argument ${q(as.name)} is required, but was not set.`, this.missingItemRange()));
    }
    return { content: { attributes: attrs, blocks, missingItemRange: this.missingItemRange() }, diags };
  }

  justAttributes(): { attributes: Map<string, Attribute>; diags: Diagnostic[] } {
    const attrs = new Map<string, Attribute>();
    const diags: Diagnostic[] = [];
    for (const b of this.bodies) {
      const r = b.justAttributes();
      diags.push(...r.diags);
      for (const [name, a] of r.attributes) {
        const prev = attrs.get(name);
        if (prev) {
          diags.push(errorDiag('Duplicate argument', `Argument ${q(name)} was already set at ${rangeString(prev.nameRange)}`, a.nameRange));
          continue;
        }
        attrs.set(name, a);
      }
    }
    return { attributes: attrs, diags };
  }
}

