/**
 * Packer's template interpolation: a Go text/template subset with Packer's
 * functions. API used by the core and by every component's config decoding.
 * (Implementation in progress: see render.ts.)
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

export { render, validateTemplate, InterpolationError } from './render.ts';
