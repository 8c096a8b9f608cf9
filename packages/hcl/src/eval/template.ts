// Templates rendered from files (templatefile) with this package's parser
// and evaluator, and the function table wired with it.

import type { Value } from '../cty/value.ts';
import { functions, type FunctionsOptions, type TemplateRenderer } from '../funcs/index.ts';
import type { CtyFunction } from '../funcs/function.ts';
import { variables } from '../syntax/ast.ts';
import { parseTemplate } from '../syntax/parser.ts';
import { EvalContext, evaluate } from './eval.ts';

/** Renders templatefile's templates: a bare template, with only the given variables. */
export const templateRenderer: TemplateRenderer = {
  variables(src, filename) {
    const { expr, diags } = parseTemplate(src, filename);
    if (diags.some((d) => d.severity === 'error')) return [];
    return variables(expr).map((t) => {
      const root = t[0] as { name: string; range: import('../range.ts').Range };
      return { name: root.name, range: root.range };
    });
  },
  render(src, filename, vars: ReadonlyMap<string, Value>, funcs: Record<string, CtyFunction>) {
    const { expr, diags } = parseTemplate(src, filename);
    if (diags.some((d) => d.severity === 'error')) return { diags };
    const r = evaluate(expr, new EvalContext({ variables: Object.fromEntries(vars), functions: funcs }));
    return { value: r.value, diags: [...diags, ...r.diags] };
  },
};

/** Packer's function table for templates in `basedir`, with templatefile working. */
export function packerFunctions(basedir: string, opts: Omit<FunctionsOptions, 'templateRenderer'> = {}): Record<string, CtyFunction> {
  return functions(basedir, { ...opts, templateRenderer });
}
