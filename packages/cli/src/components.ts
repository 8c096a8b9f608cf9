// The component finder of a run (run-command.ts), in a module of its own: it loads with the
// first command that asks for components, so that a command that never does (fmt) does not
// evaluate plugin discovery.
export { createComponentFinder, locateSelf } from '@packer-ts/core';
