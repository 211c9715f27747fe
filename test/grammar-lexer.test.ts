/** grammar/lexer.ts: OVN lib/lex.c token language (lex_token_parse / lex_token_format). */
import { describe, expect, it } from 'vitest';
import { formatToken, tokenize, tokenPayload, formatIPv6 } from '../grammar/lexer.js';

const lex = (s: string): string => tokenize(s).map(formatToken).join(' ');
const kinds = (s: string): string => tokenize(s).map((t) => t.tokenType.name).join(' ');

describe('lexer (lib/lex.c)', () => {
  it('identifiers, including dots and underscores', () => {
    expect(lex('foo bar.baz _abc a123_.456 eth.type')).toBe('foo bar.baz _abc a123_.456 eth.type');
    expect(kinds('ip4.src')).toBe('Id');
  });

  it('punctuation', () => {
    expect(kinds('== != < <= > >= ! && || ( ) { } [ ] .. , ; = <-> -- - :')).toBe(
      'Eq Ne Lt Le Gt Ge LogNot LogAnd LogOr LParen RParen LCurly RCurly LSquare RSquare Ellipsis Comma Semicolon Equals Exchange Decrement Hyphen Colon',
    );
    expect(lex('a==b!=c')).toBe('a == b != c');
  });

  it('decimal and hex integers', () => {
    expect(lex('0 1 12345 18446744073709551615')).toBe('0 1 12345 18446744073709551615');
    expect(lex('0x0 0X12 0x00ff')).toBe('0 0x12 0xff');
    expect(lex('01')).toBe('error("Decimal constants must not have leading zeros.")');
    expect(lex('18446744073709551616')).toBe('error("Decimal constants must be less than 2**64.")');
    expect(lex('0x')).toBe('error("Hex digits expected following 0x.")');
    expect(lex('0X')).toBe('error("Hex digits expected following 0X.")');
    expect(lex('0xg')).toBe('error("Invalid syntax in hexadecimal constant.")');
    expect(lex('0x' + '1'.padEnd(257, '0'))).toBe('error("Hexadecimal constant requires more than 1024 bits.")');
    expect(tokenPayload(tokenize('0x' + 'f'.repeat(256))[0]!).value).toBe((1n << 1024n) - 1n);
  });

  it('IPv4, IPv6 and Ethernet constants with masks and prefixes', () => {
    expect(lex('1.2.3.4 1.2.3.4/24 10.0.0.0/255.0.0.0 1.2.3.4/255.0.255.0')).toBe('1.2.3.4 1.2.3.0/24 10.0.0.0/8 1.0.3.0/255.0.255.0');
    expect(lex('::1 fe80::/10 ::ffff:1.2.3.4 2001:db8::1/64')).toBe('::1 fe80::/10 ::ffff:1.2.3.4 2001:db8::/64');
    expect(lex('00:11:22:33:44:55 ff:ff:ff:ff:ff:ff/ff:ff:ff:00:00:00')).toBe('00:11:22:33:44:55 ff:ff:ff:00:00:00/ff:ff:ff:00:00:00');
    expect(lex('0/0x1234')).toBe('0/0x1234');
    expect(lex('1.2.3.4/0x1')).toBe('error("Value and mask have incompatible formats.")');
    expect(lex('1.2.3.4/33')).toBe('error("Value and mask have incompatible formats.")');
    expect(lex('1.2.3.400')).toBe('error("Invalid numeric constant.")');
  });

  it('an IPv4 address followed by a port is three tokens; `..` ends an integer', () => {
    expect(kinds('1.2.3.4:80')).toBe('Integer Colon Integer');
    expect(kinds('reg0[0..15]')).toBe('Id LSquare Integer Ellipsis Integer RSquare');
  });

  it('hex-looking identifiers vs addresses', () => {
    expect(kinds('abc deadbeef')).toBe('Id Id');
    expect(kinds('ab:cd:ef:01:02:03 fe80::1')).toBe('Integer Integer');
  });

  it('strings with JSON escapes', () => {
    const t = tokenize('"a\\"b\\\\c\\u0041\\n"')[0]!;
    expect(t.tokenType.name).toBe('String');
    expect(tokenPayload(t).s).toBe('a"b\\cA\n');
    expect(lex('"abc')).toBe('error("Input ends inside quoted string.")');
  });

  it('$address_set, @port_group, ^template', () => {
    expect(lex('$set1 @pg1 ^tmpl')).toBe('$set1 @pg1 ^tmpl');
    expect(kinds('$set1 @pg1 ^tmpl')).toBe('Macro PortGroup Template');
    expect(lex('$1')).toBe('error("`$\' must be followed by a valid identifier.") 1');
    expect(lex('@ x')).toBe('error("`@\' must be followed by a valid identifier.") x');
  });

  it('comments and error tokens', () => {
    expect(lex('a // comment\nb /* c */ d')).toBe('a b d');
    expect(lex('a /* open')).toBe('a error("`/*\' without matching `*/\'.")');
    expect(lex('/ &x |y .z')).toBe('error("`/\' is only valid as part of `//\' or `/*\'.") error("`&\' is only valid as part of `&&\'.") x error("`|\' is only valid as part of `||\'.") y error("`.\' is only valid as part of `..\' or a number.") z');
    expect(lex('#')).toBe('error("Invalid character `#\' in input.")');
  });

  it('positions are tracked for error columns', () => {
    const toks = tokenize('ip4.src ==\n  1.2.3.4');
    expect(toks.map((t) => [t.startLine, t.startColumn])).toEqual([[1, 1], [1, 9], [2, 3]]);
  });

  it('formats IPv6 like inet_ntop', () => {
    expect(formatIPv6(0n)).toBe('::');
    expect(formatIPv6(1n)).toBe('::1');
    expect(formatIPv6(0xff020000000000000000000000000016n)).toBe('ff02::16');
    expect(formatIPv6(0x20010db8000000000001000000000001n)).toBe('2001:db8::1:0:0:1');
  });
});
