/** Communicators shared by every builder: settings, StepConnect and the SSH communicator. */
export * from './config.ts';
export * from './ssh.ts';
export * from './step-connect.ts';
