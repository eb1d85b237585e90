// A stream's ARN, as Kinesis writes it (pure).
import type { ArnContext } from '../../core/arn.js';

export const streamArnOf = (arn: ArnContext, name: string): string => `arn:aws:kinesis:${arn.region}:${arn.accountId}:stream/${name}`;
