// Functions backed by network services: vault, consul_key (the SDK's lookups, which the JSON
// templates' functions share, as Packer's commontpl), aws_secretsmanager.
import * as T from '../cty/types.ts';
import { stringVal } from '../cty/value.ts';
import { consulKey, vaultSecret } from '@packer-ts/sdk';
import { FuncError, makeFunction, staticReturnType } from './function.ts';

/** A lookup's error as the function's. */
function asFuncError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new FuncError((e as Error).message);
  }
}

export const vault = makeFunction({
  params: [
    { name: 'path', type: T.String },
    { name: 'key', type: T.String },
  ],
  type: staticReturnType(T.String),
  impl: (a) => stringVal(asFuncError(() => vaultSecret(a[0].asString(), a[1].asString()))),
});

export const consul_key = makeFunction({
  params: [{ name: 'key', type: T.String }],
  type: staticReturnType(T.String),
  impl: (a) => stringVal(asFuncError(() => consulKey(a[0].asString()))),
});

function awsUnavailable(name: string): never {
  if (name.length === 0) throw new FuncError('At least one secret name must be provided');
  throw new FuncError(
    'Error getting secret: AWS Secrets Manager is not reachable from packer-ts: no AWS credentials or region are configured (set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION)',
  );
}

export const aws_secretsmanager = makeFunction({
  params: [
    { name: 'name', type: T.String },
    { name: 'key', type: T.String, allowNull: true },
  ],
  type: staticReturnType(T.String),
  impl: (a) => awsUnavailable(a[0].asString()),
});

export const aws_secretsmanager_raw = makeFunction({
  params: [{ name: 'name', type: T.String }],
  type: staticReturnType(T.String),
  impl: (a) => awsUnavailable(a[0].asString()),
});
