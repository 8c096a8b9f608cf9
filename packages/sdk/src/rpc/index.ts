/** Packer's plugin RPC transport: yamux, msgpack net/rpc, MuxBroker, handshake. */
export * from './yamux.ts';
export * from './codec.ts';
export * from './netrpc.ts';
export * from './broker.ts';
export * from './handshake.ts';
export * from './pair.ts';
export * from './adapters/index.ts';
export * from './methods.ts';
export * from './hcl-spec.ts';
export * from './cty-msgpack.ts';
export * from './gob-codec.ts';
