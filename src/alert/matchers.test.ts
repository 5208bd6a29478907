// Matchers: the four operators, Alertmanager's anchoring and missing-label rule, both input forms, and clear parse errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, ValidationError } from '../errors.js';
import { Matcher, matcherFromSpec, matchesAll, parseMatcher, parseMatcherList, parseMatchers } from './matchers.js';

const labels = { service: 'api', severity: 'medium', path: '/v1/users' };

/** Asserts `fn` throws a ValidationError whose message matches `re`. */
function throwsValidation(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && re.test(e.message), String(re));
}

test('the four operators, with a missing label read as the empty string', () => {
  assert.equal(parseMatcher('service="api"').matches(labels), true);
  assert.equal(parseMatcher('service="web"').matches(labels), false);
  assert.equal(parseMatcher('service!="web"').matches(labels), true);
  assert.equal(parseMatcher('service!="api"').matches(labels), false);
  assert.equal(parseMatcher('severity=~"low|medium"').matches(labels), true);
  assert.equal(parseMatcher('severity!~"low|medium"').matches(labels), false);
  assert.equal(parseMatcher('team!="a"').matches(labels), true);
  assert.equal(parseMatcher('team=""').matches(labels), true);
  assert.equal(parseMatcher('team=~".+"').matches(labels), false);
  // Inherited object properties are not labels.
  assert.equal(parseMatcher('constructor=""').matches(labels), true);
  assert.equal(parseMatcher('toString=~".+"').matches(labels), false);
});

test('regexes are anchored at both ends around the whole alternation', () => {
  const m = parseMatcher('service=~"api|web"');
  assert.equal(m.matchesValue('api'), true);
  assert.equal(m.matchesValue('web'), true);
  assert.equal(m.matchesValue('apix'), false);
  assert.equal(m.matchesValue('xweb'), false);
  assert.equal(parseMatcher('path=~"/v1/.*"').matches(labels), true);
  assert.equal(parseMatcher('path=~"v1"').matches(labels), false);
  assert.equal(parseMatcher('service=~"(?i)API"').matches(labels), true);
  assert.equal(parseMatcher('service=~"API"').matches(labels), false);
});

test('quoting: escapes for quote, backslash and newline; other backslashes kept for the regex; unquoted values', () => {
  assert.equal(parseMatcher('code=~"\\d+"').value, '\\d+');
  assert.equal(parseMatcher('code=~"\\d+"').matchesValue('503'), true);
  assert.equal(parseMatcher('msg="say \\"hi\\" \\\\ now"').value, 'say "hi" \\ now');
  assert.equal(parseMatcher('  service = api  ').value, 'api');
  assert.equal(parseMatcher('service=~a|b').matchesValue('b'), true);
  assert.equal(parseMatcher('"my label"="x"').name, 'my label');
  const m = parseMatcher('msg!~"a\\"b\\\\c\\nd"');
  assert.equal(parseMatcher(m.toString()).value, m.value);
  assert.equal(parseMatcher(m.toString()).type, '!~');
});

test('the structured form maps isRegex/isEqual to the operator (isEqual defaults to true)', () => {
  assert.equal(matcherFromSpec({ name: 'a', value: 'x', isRegex: false }).type, '=');
  assert.equal(matcherFromSpec({ name: 'a', value: 'x', isRegex: false, isEqual: false }).type, '!=');
  assert.equal(matcherFromSpec({ name: 'a', value: 'x|y', isRegex: true }).type, '=~');
  assert.equal(matcherFromSpec({ name: 'a', value: 'x', isRegex: true, isEqual: false }).type, '!~');
  assert.deepEqual(parseMatcher('a!~"x"').toSpec(), { name: 'a', value: 'x', isRegex: true, isEqual: false });
  throwsValidation(() => matcherFromSpec({ name: '', value: 1, isRegex: 'yes' }), /name must be a non-empty string; value must be a string; isRegex must be true or false/);
  throwsValidation(() => matcherFromSpec(null), /expected an object/);
});

test('parse errors say what is wrong and where', () => {
  throwsValidation(() => parseMatcher('service'), /cannot parse matcher "service": expected an operator \(=, !=, =~ or !~\) after the label name "service" \(at character 8\)/);
  throwsValidation(() => parseMatcher('="api"'), /expected a label name .*\(at character 1\)/);
  throwsValidation(() => parseMatcher('9x="api"'), /expected a label name/);
  throwsValidation(() => parseMatcher('service="api'), /the quoted value has no closing "/);
  throwsValidation(() => parseMatcher('service="api" extra'), /unexpected text after the value/);
  throwsValidation(() => parseMatcher('service=a"b'), /an unquoted value must not contain "/);
  throwsValidation(() => parseMatcher('service=~"("'), /invalid regex: /);
  throwsValidation(() => parseMatcher('service=~"(?s)a.b"'), /only a leading \(\?i\) is/);
  throwsValidation(() => parseMatcher(`service=~"${'a'.repeat(1001)}"`), /the regex is 1001 characters long; the limit is 1000/);
  assert.doesNotThrow(() => parseMatcher(`service=~"${'a'.repeat(1000)}"`));
  // A long literal value is fine: the limit is about regexes.
  assert.doesNotThrow(() => parseMatcher(`service="${'a'.repeat(5000)}"`));
  throwsValidation(() => Matcher.create('=', '', 'x'), /the label name is empty/);
});

test('lists: braces optional, commas inside quotes are not separators', () => {
  const ms = parseMatchers('{service="api", severity=~"low|medium", msg="a, b"}');
  assert.deepEqual(ms.map((m) => m.toString()), ['service="api"', 'severity=~"low|medium"', 'msg="a, b"']);
  assert.equal(parseMatchers('service=api,severity!=low').length, 2);
  assert.deepEqual(parseMatchers('{}'), []);
  assert.equal(matchesAll(parseMatchers('service="api",severity="medium"'), labels), true);
  assert.equal(matchesAll(parseMatchers('service="api",severity="low"'), labels), false);
  assert.equal(matchesAll([], labels), true);
  throwsValidation(() => parseMatchers('{service="api"'), /expected } to close the list/);
  throwsValidation(() => parseMatchers('service="api" severity="low"'), /expected , between matchers/);
});

test('config lists name the failing entry', () => {
  assert.throws(() => parseMatcherList(['service="api"', 'severity=~"("'], 'alerting.route.routes[1].matchers'),
    (e: unknown) => e instanceof ConfigError && e.key === 'alerting.route.routes[1].matchers[1]' && /invalid regex/.test(e.message));
  assert.throws(() => parseMatcherList('service="api"', 'k'), (e: unknown) => e instanceof ConfigError && e.key === 'k');
  assert.throws(() => parseMatcherList([3], 'k'), (e: unknown) => e instanceof ConfigError && e.key === 'k[0]');
  assert.deepEqual(parseMatcherList(undefined, 'k'), []);
});
