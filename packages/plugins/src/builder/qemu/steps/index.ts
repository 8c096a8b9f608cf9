/** The qemu builder's steps, named and worded as in Packer 1.6.6 (builder/qemu/step_*.go), one file each. */
export * from './command-line.ts';
export * from './step-configure-vnc.ts';
export * from './step-convert-disk.ts';
export * from './step-copy-disk.ts';
export * from './step-create-cd.ts';
export * from './step-create-disk.ts';
export * from './step-create-floppy.ts';
export * from './step-http-ip-discover.ts';
export * from './step-port-forward.ts';
export * from './step-prepare-output-dir.ts';
export * from './step-resize-disk.ts';
export * from './step-run.ts';
export * from './step-set-iso.ts';
export * from './step-shutdown.ts';
export * from './step-type-boot-command.ts';
export * from './step-wait-guest-address.ts';
export * from './watch-vm.ts';
