// Failed authentications: recognized by wording across common software and by HTTP 401/403, attributed to a client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthFailureClassifier, attributionOf } from './auth-failure.js';

test('failed logins of sshd, PAM, web apps and databases are recognized; successes and other lines are not', () => {
  const c = new AuthFailureClassifier();
  const yes = [
    'Failed password for invalid user admin from 10.0.0.1 port 4242 ssh2', 'Invalid user oracle from 10.0.0.9',
    'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=10.0.0.5 user=root',
    'login failed for user=alice ip=10.1.1.1 reason=bad_password', 'FATAL: password authentication failed for user "app"',
    'GET /admin HTTP/1.1 401 12 3ms',
  ];
  const no = ['Accepted password for root from 10.0.0.2 port 22 ssh2', 'login succeeded for user=alice', 'GET /health HTTP/1.1 200 2 1ms', 'disk full'];
  yes.forEach((m, i) => assert.ok(c.isFailure(`y${i}`, () => undefined, m), m));
  no.forEach((m, i) => assert.ok(!c.isFailure(`n${i}`, () => undefined, m), m));
  assert.ok(new AuthFailureClassifier([/denied by policy/]).isFailure('x', () => 'request denied by policy <*>', 'request denied by policy 7'));
});

test('the address and user are taken from the text when the record has no fields for them', () => {
  assert.deepEqual(attributionOf('Failed password for invalid user admin from 10.0.0.1 port 4242 ssh2'), { ip: '10.0.0.1', user: 'admin' });
  assert.deepEqual(attributionOf('Failed password for root from 10.0.0.7 port 22 ssh2'), { ip: '10.0.0.7', user: 'root' });
  assert.deepEqual(attributionOf('authentication failure; rhost=10.0.0.5 user=root'), { ip: '10.0.0.5', user: 'root' });
  assert.deepEqual(attributionOf('login failed'), { ip: '', user: '' });
});
