/**
 * Packer's template interpolation: a Go text/template subset with Packer's
 * functions. API used by the core and by every component's config decoding.
 *
 * Language: text and `{{ }}` actions with `{{-`/`-}}` trimming and
 * `{{/* comments *\/}}`, pipelines, function calls, `.Field` chains on
 * ctx.data, `$` and `$x := ...` variables, parenthesised pipelines,
 * if/else if/else/range/with/break/continue/end, Go's builtins (and or not
 * eq ne lt le gt ge len index print printf println html js urlquery).
 * `define`/`template`/`block` are not supported. Messages follow Go's:
 * `template: root:1: function "foo" not defined` (parse),
 * `template: root:1:2: executing "root" at <env `HOME`>: error calling env: ...` (exec).
 *
 * The `build` function and generated data. Packer renders a provisioner's
 * configuration at prepare time, before the builder has produced its
 * generated data (Host, Port, SSHPrivateKey, ...), and again at provision
 * time. Here:
 * - `ctx.buildData` undefined: `{{ build `Host` }}` renders to the
 *   placeholder text `{{ build `Host` }}` (see buildPlaceholder), so the
 *   string survives prepare-time decoding;
 * - at provision time the component renders that string again with
 *   `render(s, { ...decoded.ctx, buildData: generatedData })`, which yields
 *   the value (non-strings printed as Go's %v);
 * - `ctx.buildData` set but without the key: Packer's error
 *   "loaded data, but couldnt find Host in it.";
 * - a value that is itself a Packer placeholder (contains PLACEHOLDER_MSG,
 *   as in the map basicPlaceholderData() builds and real Packer passes as the
 *   last raw to provisioners) renders to the placeholder again.
 * decodeConfig recognises such a placeholder map as the last raw (as
 * Packer's DetectContextData does), removes it from the raws and uses it as
 * ctx.buildData (and as ctx.data when none was given), so names a builder
 * does not generate are reported at prepare time.
 */
export interface InterpolateContext {
  /** The value of `.` : per-component context variables, e.g. { BuildName, ChecksumType }. */
  data?: Record<string, unknown>;
  /** Extra functions, or overrides (e.g. the core's `build` placeholder). */
  funcs?: Record<string, (...args: unknown[]) => unknown>;
  /** User variables for `{{user `name`}}`. */
  userVariables?: Record<string, string>;
  /** Names of sensitive user variables (their values are registered as secrets). */
  sensitiveVariables?: string[];
  /** For `{{build_name}}`. */
  buildName?: string;
  /** For `{{build_type}}`. */
  buildType?: string;
  /** Absolute path of the template file, for `{{template_dir}}`. */
  templatePath?: string;
  /** `{{env}}` is only allowed in variable defaults; true enables it. */
  enableEnv?: boolean;
  /** Generated data for `{{build `Name`}}`; when absent `build` yields a placeholder re-rendered later. */
  buildData?: Record<string, unknown>;
  /** Core version for `{{packer_version}}`. */
  coreVersion?: string;
}

export { render, renderRepeated, validateTemplate, InterpolationError, templateFuncs } from './render.ts';
export type { TemplateFunc, TypedFunc, ParamType } from './exec.ts';
export { BUILTINS as TEMPLATE_BUILTINS, truth as templateTruth } from './exec.ts';
// The Go text/template engine itself, for callers with their own functions and data.
export { execute as executeGoTemplate, GoStruct, TemplateExecError } from './exec.ts';
export { parseTemplate as parseGoTemplate, TemplateParseError } from './parse.ts';
export {
  PLACEHOLDER_MSG, BUILDER_DATA_COMMON_KEYS, basicPlaceholderData, isPlaceholderData, buildPlaceholder,
  timeOrderedUUID, cleanResourceName, goReplace, goSplit,
} from './funcs.ts';
export { formatGoTime, strftime, getInitTime, setInitTime, RFC3339 } from './gotime.ts';
export type { GoTime } from './gotime.ts';
export { formatValue as goFormatValue, sprint as goSprint, sprintf as goSprintf, goQuote, goFormatFloat } from './gofmt.ts';
