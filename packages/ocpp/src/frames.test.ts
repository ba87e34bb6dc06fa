import { describe, it, expect } from 'vitest';
import { OcppError } from './errors.js';
import type { OcppErrorCode } from './errors.js';
import { MessageTypeId, callErrorFrame, parseFrame, serializeFrame } from './frames.js';
import type { Frame, ParsedFrame } from './frames.js';
import type { OcppVersion } from './version.js';

function expectFailure(result: ParsedFrame): Extract<ParsedFrame, { ok: false }> {
  if (result.ok) throw new Error(`expected a parse failure, got ${JSON.stringify(result.frame)}`);
  return result;
}

type Codes = Readonly<Record<OcppVersion, OcppErrorCode>>;

interface Case {
  readonly name: string;
  readonly text: string;
  readonly messageId: string;
  readonly respond: boolean;
  readonly codes: Codes;
}

const FRAMEWORK: Codes = {
  'ocpp1.6': 'FormationViolation',
  'ocpp2.0.1': 'RpcFrameworkError',
  'ocpp2.1': 'RpcFrameworkError',
};
const PAYLOAD: Codes = {
  'ocpp1.6': 'FormationViolation',
  'ocpp2.0.1': 'ProtocolError',
  'ocpp2.1': 'ProtocolError',
};
const TYPE: Codes = {
  'ocpp1.6': 'NotImplemented',
  'ocpp2.0.1': 'MessageTypeNotSupported',
  'ocpp2.1': 'MessageTypeNotSupported',
};

const id37 = 'x'.repeat(37);
const CASES: readonly Case[] = [
  { name: 'invalid JSON', text: '[2, "abc", ', messageId: '-1', respond: true, codes: FRAMEWORK },
  { name: 'empty text', text: '', messageId: '-1', respond: true, codes: FRAMEWORK },
  { name: 'an object', text: '{"a":1}', messageId: '-1', respond: true, codes: FRAMEWORK },
  { name: 'a string', text: '"hello"', messageId: '-1', respond: true, codes: FRAMEWORK },
  { name: 'an empty array', text: '[]', messageId: '-1', respond: true, codes: FRAMEWORK },
  {
    name: 'messageTypeId as string',
    text: '["2","id","Heartbeat",{}]',
    messageId: '-1',
    respond: true,
    codes: FRAMEWORK,
  },
  {
    name: 'unknown messageTypeId',
    text: '[7,"id","Heartbeat",{}]',
    messageId: 'id',
    respond: true,
    codes: TYPE,
  },
  { name: 'unknown messageTypeId 1', text: '[1,"id"]', messageId: 'id', respond: true, codes: TYPE },
  { name: 'unknown type, unreadable id', text: '[9,42]', messageId: '-1', respond: true, codes: TYPE },
  {
    name: 'CALL messageId number',
    text: '[2,42,"Heartbeat",{}]',
    messageId: '-1',
    respond: true,
    codes: FRAMEWORK,
  },
  {
    name: 'CALL messageId > 36',
    text: `[2,"${id37}","Heartbeat",{}]`,
    messageId: id37,
    respond: true,
    codes: FRAMEWORK,
  },
  {
    name: 'CALL with 3 elements',
    text: '[2,"id","Heartbeat"]',
    messageId: 'id',
    respond: true,
    codes: FRAMEWORK,
  },
  {
    name: 'CALL with 5 elements',
    text: '[2,"id","Heartbeat",{},{}]',
    messageId: 'id',
    respond: true,
    codes: FRAMEWORK,
  },
  { name: 'CALL action number', text: '[2,"id",5,{}]', messageId: 'id', respond: true, codes: FRAMEWORK },
  {
    name: 'CALL payload array',
    text: '[2,"id","Heartbeat",[]]',
    messageId: 'id',
    respond: true,
    codes: PAYLOAD,
  },
  {
    name: 'CALL payload string',
    text: '[2,"id","Heartbeat","x"]',
    messageId: 'id',
    respond: true,
    codes: PAYLOAD,
  },
  {
    name: 'CALLRESULT messageId number',
    text: '[3,1,{}]',
    messageId: '-1',
    respond: false,
    codes: FRAMEWORK,
  },
  {
    name: 'CALLRESULT messageId > 36',
    text: `[3,"${id37}",{}]`,
    messageId: id37,
    respond: false,
    codes: FRAMEWORK,
  },
  {
    name: 'CALLRESULT with 4 elements',
    text: '[3,"id",{},{}]',
    messageId: 'id',
    respond: false,
    codes: FRAMEWORK,
  },
  { name: 'CALLRESULT payload number', text: '[3,"id",5]', messageId: 'id', respond: false, codes: PAYLOAD },
  {
    name: 'CALLERROR with 4 elements',
    text: '[4,"id","GenericError",""]',
    messageId: 'id',
    respond: false,
    codes: FRAMEWORK,
  },
  {
    name: 'CALLERROR code number',
    text: '[4,"id",1,"",{}]',
    messageId: 'id',
    respond: false,
    codes: FRAMEWORK,
  },
  {
    name: 'CALLERROR details array',
    text: '[4,"id","GenericError","",[]]',
    messageId: 'id',
    respond: false,
    codes: PAYLOAD,
  },
];

describe('parseFrame rejects malformed frames', () => {
  for (const version of ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const) {
    describe(version, () => {
      for (const c of CASES) {
        it(`${c.name} → ${c.codes[version]}, messageId ${c.messageId.slice(0, 8)}, respond=${String(c.respond)}`, () => {
          const result = expectFailure(parseFrame(version, c.text));
          expect(result.error).toBeInstanceOf(OcppError);
          expect(result.error.code).toBe(c.codes[version]);
          expect(result.messageId).toBe(c.messageId);
          expect(result.respond).toBe(c.respond);
          expect(result.error.description).not.toBe('');
        });
      }
    });
  }

  it('accepts a messageId of exactly 36 characters', () => {
    const id = 'y'.repeat(36);
    expect(parseFrame('ocpp2.0.1', `[2,"${id}","Heartbeat",{}]`)).toEqual({
      ok: true,
      frame: [2, id, 'Heartbeat', {}],
    });
  });

  it('does not answer 2.1 CALLRESULTERROR (5) and SEND (6) frames', () => {
    for (const text of ['[5,"id","GenericError","",{}]', '[6,"id","NotifyPeriodicEventStream",{}]']) {
      const result = expectFailure(parseFrame('ocpp2.1', text));
      expect(result.error.code).toBe('MessageTypeNotSupported');
      expect(result.respond).toBe(false);
    }
    // ... but in 2.0.1 they are just unknown message types, which are answered (part 4 §4.4).
    expect(expectFailure(parseFrame('ocpp2.0.1', '[6,"id","X",{}]')).respond).toBe(true);
  });
});

describe('parseFrame accepts well-formed frames', () => {
  const frames: readonly [string, Frame][] = [
    ['[2,"19223201","BootNotification",{"a":1}]', [2, '19223201', 'BootNotification', { a: 1 }]],
    ['[3,"19223201",{"status":"Accepted"}]', [3, '19223201', { status: 'Accepted' }]],
    [
      '[4,"162376037","NotSupported","not implemented",{}]',
      [4, '162376037', 'NotSupported', 'not implemented', {}],
    ],
  ];
  for (const version of ['ocpp1.6', 'ocpp2.0.1'] as const) {
    for (const [text, frame] of frames) {
      it(`${version}: ${text}`, () => {
        expect(parseFrame(version, text)).toEqual({ ok: true, frame });
      });
    }
  }

  it('treats a null payload as {} (OCPP-J 1.6 §4.2.1, 2.0.1 part 4 §4.1.5)', () => {
    expect(parseFrame('ocpp1.6', '[2,"1","Heartbeat",null]')).toEqual({
      ok: true,
      frame: [2, '1', 'Heartbeat', {}],
    });
    expect(parseFrame('ocpp2.0.1', '[3,"1",null]')).toEqual({ ok: true, frame: [3, '1', {}] });
  });

  it('round-trips through serializeFrame', () => {
    const frame: Frame = [MessageTypeId.CALL, 'abc', 'Heartbeat', {}];
    expect(serializeFrame(frame)).toBe('[2,"abc","Heartbeat",{}]');
    expect(parseFrame('ocpp2.0.1', serializeFrame(frame))).toEqual({ ok: true, frame });
  });
});

describe('callErrorFrame', () => {
  it('builds a 5-element CALLERROR', () => {
    const error = new OcppError('NotSupported', 'SetDisplayMessageRequest not implemented', { x: 1 });
    expect(callErrorFrame('162376037', error)).toEqual([
      4,
      '162376037',
      'NotSupported',
      'SetDisplayMessageRequest not implemented',
      { x: 1 },
    ]);
  });

  it('truncates the description to 255 characters', () => {
    const frame = callErrorFrame('1', new OcppError('GenericError', 'é'.repeat(300)));
    expect(frame[3]).toBe('é'.repeat(255));
    expect(callErrorFrame('1', new OcppError('GenericError', 'a'.repeat(255)))[3]).toHaveLength(255);
  });

  it('does not split a surrogate pair when truncating', () => {
    const frame = callErrorFrame('1', new OcppError('GenericError', '😀'.repeat(300)));
    expect(Array.from(frame[3])).toHaveLength(255);
    expect(frame[3]).toBe('😀'.repeat(255));
  });

  it('re-spells the code when given a version', () => {
    const error = new OcppError('FormatViolation', 'bad');
    expect(callErrorFrame('1', error, 'ocpp1.6')[2]).toBe('FormationViolation');
    expect(callErrorFrame('1', error)[2]).toBe('FormatViolation');
  });

  it('answers a parse failure', () => {
    const result = expectFailure(parseFrame('ocpp2.0.1', 'not json'));
    expect(callErrorFrame(result.messageId, result.error)).toEqual([
      4,
      '-1',
      'RpcFrameworkError',
      'Message is not valid JSON',
      {},
    ]);
  });
});
