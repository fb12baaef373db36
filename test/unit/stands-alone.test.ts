/**
 * The repository stands alone: a user who clones it gets everything the build, the tests and the docs refer to.
 * Nothing tracked may point at the fact-sheet folder that sat beside the repository while it was written: what it held
 * lives here, with its sources, in docs/asana.md, docs/attio.md, docs/performance.md and specs/ (specs/SOURCES.md).
 * `.ci/run` proves the rest by running the spec-conformance tests in a fresh clone with no such folder above it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SPECS_DIR } from '../helpers/openapi-conformance';

const root = resolve(__dirname, '../..');
const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);

/** The outside folder's name, held once, so that this file names no path into it. */
const OUTSIDE = 'shared';
const outsideReference = new RegExp(
  `(?:\\.\\./)+${OUTSIDE}/(?:specs|facts)|(?<![\\w/-])${OUTSIDE}/(?:specs|facts)\\b|${OUTSIDE.toUpperCase()}_SPECS_DIR`,
);

describe('the repository stands alone', () => {
  test('no tracked file refers to the fact-sheet folder outside the repository', () => {
    const offenders = tracked
      .filter(
        (file) => !file.startsWith('specs/') && !['package-lock.json', 'test/unit/stands-alone.test.ts'].includes(file),
      )
      .filter((file) => existsSync(resolve(root, file)))
      .filter((file) => outsideReference.test(readFileSync(resolve(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  test('the OpenAPI documents the tests validate against are inside the repository and tracked', () => {
    expect(resolve(SPECS_DIR).startsWith(root)).toBe(true);
    for (const file of ['specs/asana_oas.yaml', 'specs/attio_openapi.json', 'specs/SOURCES.md']) {
      expect(tracked).toContain(file);
    }
  });

  test('the pattern catches the references it is meant to catch', () => {
    expect(outsideReference.test(`resolve(__dirname, '../../../${OUTSIDE}/specs')`)).toBe(true);
    expect(outsideReference.test(`see ${OUTSIDE}/facts/asana.md §1`)).toBe(true);
    expect(outsideReference.test(`${OUTSIDE.toUpperCase()}_SPECS_DIR`)).toBe(true);
    expect(outsideReference.test("import { StandInClock } from '../kit/clock';")).toBe(false);
    expect(outsideReference.test('stand-ins/kit/faults.ts')).toBe(false);
  });
});
