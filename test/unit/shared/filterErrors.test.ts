import * as assert from 'node:assert/strict';
import { FilterError, parseFilter } from '../../../src/shared/filter';

/** Parses `text` expecting a FilterError at `column` whose message matches `message`. */
function fails(text: string, column: number, message: RegExp) {
  assert.throws(
    () => parseFilter(text),
    (e: unknown) => {
      assert.ok(e instanceof FilterError, `${text}: ${String(e)}`);
      assert.equal(e.name, 'FilterError');
      assert.equal(e.filter, text);
      assert.equal(e.column, column, `${text}: ${e.message}`);
      assert.match(e.message, new RegExp(` at column ${column}(;|$)`));
      assert.match(e.message, message, text);
      return true;
    },
    text,
  );
}

describe('filter errors', () => {
  it('names an unknown field, guesses the intended one and lists the known ones', () => {
    fails('stauts>=400', 1, /^unknown field "stauts" at column 1; did you mean status\? known: /);
    fails('stauts>=400', 1, /known: dir, conn, .*status, .*or field\.NAME/);
    fails('c2s lantecy>5ms', 5, /unknown field "lantecy".*did you mean latency\?/);
    fails('http://example.com', 1, /unknown field "http".*quote it: "http:\/\/example\.com"$/);
    fails('zzzzzz:1', 1, /^unknown field "zzzzzz" at column 1; known: /);
    fails('field.:x', 1, /^field\. needs a name/);
    fails('partial:true', 1, /^partial is a flag.*write partial or not partial/);
  });

  it('points at regex problems', () => {
    fails('c2s /abc', 5, /^unclosed \/regex\/ at column 5; end it with \//);
    fails('/a\\/', 1, /^unclosed \/regex\//);
    fails('/[/]', 1, /^unclosed \/regex\//);
    fails('c2s /(/', 5, /^invalid regular expression \/\(\/: Unterminated group/);
    fails('/\\p{Nope}/u', 1, /^invalid regular expression/);
    fails('//', 1, /^empty \/regex\//);
    fails('/a/g', 4, /^bad regex flag "g".*i, m, s and u/);
    fails('/a/ii', 5, /^bad regex flag "i"/);
    fails('/a/i"x"', 5, /^unexpected """ after the \/regex\//);
    fails('/a/,x', 4, /^unexpected "," after the \/regex\//);
  });

  it('points at quoting problems', () => {
    fails('"abc', 1, /^unclosed quote at column 1; end the text with "/);
    fails('x "abc\\"', 3, /^unclosed quote/);
    fails('"abc\\', 1, /^unclosed quote/);
    fails('"a\\qb"', 3, /^unknown escape "\\q"/);
    fails('"\\x4"', 2, /^bad escape "\\x"/);
    fails('"\\u{110000}"', 2, /^bad escape "\\u"/);
    fails('"\\u12"', 2, /^bad escape "\\u"/);
    fails('say"hi"', 4, /^a quote inside a word/);
    fails('"a"b', 4, /^unexpected "b" after the closing quote/);
    fails('name:"a"b', 9, /^unexpected "b" after the value/);
  });

  it('points at misplaced operators and parentheses', () => {
    fails('(a b', 1, /^unclosed "\(" at column 1; add a "\)"/);
    fails('a (', 3, /^unclosed "\("/);
    fails('a b)', 4, /^unexpected "\)"/);
    fails(')', 1, /^unexpected "\)"/);
    fails('x ( )', 3, /^empty parentheses/);
    fails('a and', 3, /^nothing after "and"/);
    fails('a && ', 3, /^nothing after "&&"/);
    fails('a || || b', 3, /^nothing after "\|\|"/);
    fails('(a or)', 4, /^nothing after "or"/);
    fails('not', 1, /^nothing after "not"/);
    fails('a -', 3, /^nothing after "-"/);
    fails('or a', 1, /^"or" has nothing before it/);
    fails('&& a', 1, /^"&&" has nothing before it/);
    fails('>= 400', 1, /^">=" has no field before it at column 1; write it with no spaces/);
    fails('a : b', 3, /^":" has no field before it/);
    fails('!= x', 1, /^"!=" has no field before it/);
  });

  it('rejects a spaced comparison instead of reading it as three terms', () => {
    fails('size > 1000', 6, /^space before ">" at column 6; write size>VALUE with no spaces/);
    fails('s2c status >= 400', 12, /^space before ">=".*quote "status" to search for the text/);
    fails('name : SET', 6, /^space before ":"/);
    fails('field.x = 1', 9, /^space before "="/);
  });

  it('says what a key takes', () => {
    fails('name:', 6, /^missing value after "name:".*e\.g\. name:SET/);
    fails('(conn:)', 7, /^missing value after "conn:"/);
    fails('conn:abc', 6, /^conn takes a whole number, not "abc".*e\.g\. conn:3, conn:1,2/);
    fails('seq:-1', 5, /^seq takes a whole number/);
    fails('conn:1,,2', 8, /^empty value in the list/);
    fails('conn:1,', 8, /^empty value in the list/);
    fails('conn:/1/', 6, /^conn: takes a number, not a \/regex\//);
    fails('status>/4/', 8, /^status> takes a number, not a \/regex\//);
    fails('name:a,/b/', 8, /^a \/regex\/ in a list/);
    fails('name:/a/,b', 9, /^unexpected "," after the \/regex\//);
    fails('size>1,2', 6, /^">" takes one value, not a list/);
    fails('size>big', 6, /^size takes a byte count, not "big".*e\.g\. size>1000/);
    fails('size>4g', 6, /^size takes a byte count/);
    fails('latency>5', 9, /^latency needs a unit.*e\.g\. latency>5ms/);
    fails('time<5h', 6, /^time takes a duration, not "5h"/);
    fails('name>3', 5, /^name cannot be compared with ">".*use name:VALUE, name!=VALUE/);
    fails('dir>=c2s', 4, /^dir cannot be compared with ">="/);
    fails('kind:rely', 6, /^unknown kind "rely".*known: request, reply, push, data, event/);
    fails('warning:bare-cr', 9, /^unknown warning "bare-cr".*known: bare-lf, mixed-endings/);
    fails('dir:up', 5, /^unknown direction "up"/);
    fails('status>abc', 8, /^"status" compares with a number, not "abc"/);
    fails('field.x<=y', 10, /^"field\.x" compares with a number/);
  });
});
