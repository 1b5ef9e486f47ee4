// MD5 digests of bodies and attributes against published digests. The attribute
// digests come from the aws-md5-of-message-attributes package's documentation, an
// implementation independent of ours.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { md5OfAttributes, md5OfBody } from '../../src/sqs/md5.js';

const body = suite('md5OfBody');

body('matches RFC 1321 test suite', () => {
  assert.is(md5OfBody(''), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.is(md5OfBody('abc'), '900150983cd24fb0d6963f7d28e17f72');
  assert.is(md5OfBody('message digest'), 'f96b697d7cb7938d525a2f31aaf161d0');
});

body.run();

const attributes = suite('md5OfAttributes');

const STRING_ATTRIBUTE = { attribName1: { DataType: 'String', StringValue: 'attribValue 1' } };
const NUMBER_ATTRIBUTE = { customNumberTypeAttrib: { DataType: 'Number.float', StringValue: '4563442423554324324264524243.32543234' } };
const BINARY_ATTRIBUTE = { binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!').toString('base64') } };

attributes('string attribute', () => {
  assert.is(md5OfAttributes(STRING_ATTRIBUTE), '19e27d4e946b072f3f58da80d94fd778');
});

attributes('custom number attribute', () => {
  assert.is(md5OfAttributes(NUMBER_ATTRIBUTE), '9fe1b90bbd9965bdf77bac517c7d2495');
});

attributes('binary attribute as base64 and as bytes', () => {
  assert.is(md5OfAttributes(BINARY_ATTRIBUTE), '31a92b15d92f8db860eda32aceb656c3');
  assert.is(md5OfAttributes({ binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!') } }), '31a92b15d92f8db860eda32aceb656c3');
});

attributes('several attributes in any order', () => {
  const expected = 'c932db14a896c663f83c260297d594ff';
  assert.is(md5OfAttributes({ ...STRING_ATTRIBUTE, ...NUMBER_ATTRIBUTE, ...BINARY_ATTRIBUTE }), expected);
  assert.is(md5OfAttributes({ ...BINARY_ATTRIBUTE, ...NUMBER_ATTRIBUTE, ...STRING_ATTRIBUTE }), expected);
});

attributes('no attributes give no digest', () => {
  assert.is(md5OfAttributes(undefined), undefined);
  assert.is(md5OfAttributes({}), undefined);
});

attributes.run();
