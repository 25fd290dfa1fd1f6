// What wpt.fyi's tooling asks of a wptreport.json before it takes it, as its results-processor
// (web-platform-tests/wpt.fyi results-processor/wptreport.py) does: a `results` field; each test
// once, its path starting with '/'; run_info's product, browser_version (a string: a regex reads
// it) and os, and revision for an upload (the uploader may supply it); time_start/time_end in ms;
// and the statuses wptrunner's formatter writes (mozlog's test and subtest statuses).

const TEST_STATUSES = new Set(['OK', 'ERROR', 'TIMEOUT', 'CRASH', 'PRECONDITION_FAILED', 'SKIP', 'PASS', 'FAIL', 'ASSERT']);
const SUBTEST_STATUSES = new Set(['PASS', 'FAIL', 'TIMEOUT', 'NOTRUN', 'PRECONDITION_FAILED', 'SKIP', 'ERROR', 'ASSERT']);

/** A value of unknown type as text for a message (a string as it is). */
const show = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Each reason wpt.fyi (or a reader of wptrunner's format) would refuse the report; [] when it takes it. */
export function wptFyiProblems(report: unknown, options: { requireRevision?: boolean } = {}): string[] {
  const out: string[] = [];
  if (!isObject(report)) return ['not a JSON object'];
  if (!Array.isArray(report['results'])) return ["Missing 'results' field"];
  const runInfo = report['run_info'];
  if (!isObject(runInfo)) out.push('run_info is not an object');
  else {
    for (const key of ['product', 'browser_version', 'os', ...(options.requireRevision ? ['revision'] : [])]) {
      if (typeof runInfo[key] !== 'string' || runInfo[key] === '') out.push(`Missing required metadata '${key}' (a non-empty string)`);
    }
    if (runInfo['revision'] !== undefined && !/^[0-9a-f]{40}$/.test(show(runInfo['revision'])))
      out.push(`run_info.revision ${show(runInfo['revision'])} is not a full commit hash`);
  }
  for (const key of ['time_start', 'time_end']) {
    if (typeof report[key] !== 'number' || !Number.isFinite(report[key])) out.push(`${key} is not a number of ms since the epoch`);
  }
  if (typeof report['time_start'] === 'number' && typeof report['time_end'] === 'number' && report['time_end'] < report['time_start'])
    out.push('time_end is before time_start');
  const seen = new Set<string>();
  for (const [i, r] of (report['results'] as unknown[]).entries()) {
    if (!isObject(r)) {
      out.push(`results[${i}] is not an object`);
      continue;
    }
    const test = r['test'];
    if (typeof test !== 'string' || !test.startsWith('/')) out.push(`results[${i}].test ${show(test)} is not a path starting with '/'`);
    else if (seen.has(test)) out.push(`Conflicting '${test}' found in the merged report`);
    else seen.add(test);
    if (!TEST_STATUSES.has(show(r['status']))) out.push(`results[${i}].status ${show(r['status'])} is not a wptrunner test status`);
    if (r['expected'] !== undefined && !TEST_STATUSES.has(show(r['expected'])))
      out.push(`results[${i}].expected ${show(r['expected'])} is not a test status`);
    if (r['message'] !== null && r['message'] !== undefined && typeof r['message'] !== 'string')
      out.push(`results[${i}].message is not a string or null`);
    if (r['duration'] !== undefined && typeof r['duration'] !== 'number') out.push(`results[${i}].duration is not a number`);
    if (!Array.isArray(r['subtests'])) {
      out.push(`results[${i}].subtests is not an array`);
      continue;
    }
    for (const [j, s] of (r['subtests'] as unknown[]).entries()) {
      if (!isObject(s) || typeof s['name'] !== 'string') out.push(`results[${i}].subtests[${j}] has no name`);
      else if (!SUBTEST_STATUSES.has(show(s['status'])))
        out.push(`results[${i}].subtests[${j}].status ${show(s['status'])} is not a subtest status`);
      else if (s['expected'] !== undefined && !SUBTEST_STATUSES.has(show(s['expected'])))
        out.push(`results[${i}].subtests[${j}].expected is not a subtest status`);
      else if (s['known_intermittent'] !== undefined && !Array.isArray(s['known_intermittent']))
        out.push(`results[${i}].subtests[${j}].known_intermittent is not a list`);
    }
  }
  return out;
}
