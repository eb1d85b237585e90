// The SNS API behind the router's SigV4 check (a form-encoded POST / is signed for `sns` only; its Action read from the
// body and authorized as sns:<Action> on the topic ARN against the key's policy; another account's topic refused) and
// behind the local mode's guard (a form is taken only with a SigV4 Authorization header), errors in SNS's XML.
import { AuthorizationErrorException, CreateTopicCommand, ListTopicsCommand, PublishCommand } from '@aws-sdk/client-sns';
import { SignatureV4 } from '@smithy/signature-v4';
import { request } from 'node:http';
import { parsePolicy } from '../../src/core/iam-policy.js';
import { localGuard } from '../../src/router/auth/local-guard.js';
import { anonymousPrincipal, type AccessKey } from '../../src/router/auth/principal.js';
import { sigv4Auth } from '../../src/router/auth/sigv4-middleware.js';
import { MemoryTopics, startSnsRouter, type SnsRouter } from '../helpers/memory-topics.js';
import { Sha256 } from '../helpers/sdk-sha256.js';
import { refusal, snsClient } from '../helpers/sns.js';

const ARN = 'arn:aws:sns:us-east-1:000000000000';
const keys: AccessKey[] = [
  { accessKeyId: 'AKIASNSADMIN00000001', secretAccessKey: 'admin-secret', userName: 'admin', namespace: 'default', accountId: '000000000000' },
  {
    accessKeyId: 'AKIASNSPUBLISHER0001', secretAccessKey: 'publisher-secret', userName: 'publisher', namespace: 'default', accountId: '000000000000',
    policy: parsePolicy({ Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: `${ARN}:orders` }] }),
  },
  { accessKeyId: 'AKIASNSOTHERACCOUNT1', secretAccessKey: 'other-secret', userName: 'other', namespace: 'team-b', accountId: '111111111111' },
];
const client = (url: string, k: AccessKey) => snsClient(url, { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey });

interface Raw { status: number; body: string }

function post(url: string, headers: Record<string, string>, body: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A form POST / signed by the SDK's own signer for `service`. */
async function signedForm(url: string, k: AccessKey, service: string, body: string): Promise<Raw> {
  const u = new URL(url);
  const signer = new SignatureV4({ credentials: k, region: 'us-east-1', service, sha256: Sha256, uriEscapePath: true });
  const signed = (await signer.sign({
    method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', query: {},
    headers: { host: u.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body,
  } as never)) as unknown as { headers: Record<string, string> };
  return post(url, signed.headers, body);
}

describe('with SigV4 (--auth, and every cluster router)', () => {
  let router: SnsRouter;
  beforeEach(async () => {
    router = await startSnsRouter({ auth: sigv4Auth({ keys: { find: (id) => keys.find((k) => k.accessKeyId === id) }, region: 'us-east-1' }) });
    await router.backend.createTopic('orders', {});
    await router.backend.createTopic('audit', {});
  });
  afterEach(async () => { await router.close(); });

  it('a key without a policy may do everything in its own account', async () => {
    const c = client(router.url, keys[0]!);
    await c.send(new CreateTopicCommand({ Name: 'news' }));
    expect((await c.send(new ListTopicsCommand({}))).Topics).toHaveLength(3);
    await c.send(new PublishCommand({ TopicArn: `${ARN}:audit`, Message: 'x' }));
    c.destroy();
  });

  it("holds a key to its policy: sns:Publish on one topic's ARN; anything else AuthorizationError (403) in SNS's XML, nothing done", async () => {
    const c = client(router.url, keys[1]!);
    await c.send(new PublishCommand({ TopicArn: `${ARN}:orders`, Message: 'allowed' }));
    const other = await refusal(c.send(new PublishCommand({ TopicArn: `${ARN}:audit`, Message: 'denied' })));
    expect(other).toBeInstanceOf(AuthorizationErrorException);
    expect(other.$metadata.httpStatusCode).toBe(403);
    expect(other.message).toBe(`User: arn:aws:iam::000000000000:user/publisher is not authorized to perform: sns:Publish on resource: ${ARN}:audit because no identity-based policy allows the sns:Publish action`);
    expect((await refusal(c.send(new CreateTopicCommand({ Name: 'news' })))).message).toContain(`sns:CreateTopic on resource: ${ARN}:news`);
    expect((await refusal(c.send(new ListTopicsCommand({})))).message).toContain('sns:ListTopics on resource: *');
    expect(router.backend.published.map((p) => p.messages[0]!.message)).toEqual(['allowed']);
    expect(router.backend.topics.has('news')).toBe(false);
    c.destroy();
  });

  it("refuses another account's topic (another namespace) before the operation runs", async () => {
    const c = client(router.url, keys[2]!);
    const e = await refusal(c.send(new PublishCommand({ TopicArn: `${ARN}:orders`, Message: 'x' })));
    expect(e).toBeInstanceOf(AuthorizationErrorException);
    expect(e.message).toBe(`User: arn:aws:iam::111111111111:user/other is not authorized to perform: sns:Publish on resource: ${ARN}:orders because no identity-based policy allows the sns:Publish action`);
    expect(router.backend.published).toEqual([]);
    c.destroy();
  });

  it('takes an SNS call signed for sns only; an unknown or missing Action is refused as SNS refuses it', async () => {
    const lambdaScoped = await signedForm(router.url, keys[0]!, 'lambda', 'Action=ListTopics&Version=2010-03-31');
    expect(lambdaScoped.status).toBe(403);
    expect(lambdaScoped.body).toMatch(/^<ErrorResponse xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/"><Error><Type>Sender<\/Type><Code>SignatureDoesNotMatch<\/Code><Message>Credential should be scoped to correct service/);
    expect(await signedForm(router.url, keys[0]!, 'sns', 'Action=ListTopics&Version=2010-03-31')).toMatchObject({ status: 200 });
    const unknown = await signedForm(router.url, keys[0]!, 'sns', 'Action=ListPlatformApplications&Version=2010-03-31');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('<Code>InvalidAction</Code><Message>Could not find operation ListPlatformApplications for version 2010-03-31</Message>');
    expect((await signedForm(router.url, keys[0]!, 'sns', 'Action=constructor&Version=2010-03-31')).body).toContain('<Code>InvalidAction</Code>');
    expect((await signedForm(router.url, keys[0]!, 'sns', 'Version=2010-03-31')).body).toContain('<Code>MissingAction</Code>');
    expect((await signedForm(router.url, keys[0]!, 'sns', 'Action=ListTopics&Version=2012-11-05')).body).toContain('Could not find operation ListTopics for version 2012-11-05');
  });

  it('an unsigned form is MissingAuthenticationToken in XML', async () => {
    const out = await post(router.url, { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=ListTopics&Version=2010-03-31');
    expect(out.status).toBe(403);
    expect(out.body).toContain('<Code>MissingAuthenticationToken</Code>');
  });
});

describe('behind the local guard (klambda dev without --auth)', () => {
  let router: SnsRouter;
  beforeEach(async () => {
    router = await startSnsRouter({ backend: new MemoryTopics(), auth: localGuard(anonymousPrincipal('default', '000000000000')) });
  });
  afterEach(async () => { await router.close(); });

  it('the SDK works (it signs every call); a bare form is refused with 403 in XML and does nothing', async () => {
    const c = snsClient(router.url, { accessKeyId: 'any', secretAccessKey: 'any' });
    expect((await c.send(new CreateTopicCommand({ Name: 'orders' }))).TopicArn).toBe(`${ARN}:orders`);
    c.destroy();
    const bare = await post(router.url, { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=CreateTopic&Version=2010-03-31&Name=evil');
    expect(bare.status).toBe(403);
    expect(bare.body).toContain('<Code>AuthorizationError</Code>');
    expect(router.backend.topics.has('evil')).toBe(false);
  });
});
