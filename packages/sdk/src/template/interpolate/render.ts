import { PackerError } from '../../errors.ts';
import type { InterpolateContext } from './index.ts';

/** A template that does not parse or fails to execute. */
export class InterpolationError extends PackerError {
  constructor(message: string) { super('INTERPOLATION', message); this.name = 'InterpolationError'; }
}

/** Renders `template` in `ctx`. Throws InterpolationError. */
export function render(template: string, _ctx: InterpolateContext): string {
  if (!template.includes('{{')) return template;
  throw new InterpolationError('interpolation not implemented yet');
}

/** Parses `template` without executing it. Throws InterpolationError. */
export function validateTemplate(_template: string): void {}
