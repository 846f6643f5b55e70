import test from 'ava';
import { isPublicAddress } from '../../src/policies/outbound-address.js';

const REFUSED = [
  ['127.0.0.1', 'loopback'],
  ['127.10.0.1', 'loopback range'],
  ['::1', 'IPv6 loopback'],
  ['10.0.0.5', 'RFC 1918'],
  ['172.16.0.1', 'RFC 1918'],
  ['172.31.255.255', 'RFC 1918, last'],
  ['192.168.1.1', 'RFC 1918'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['169.254.169.254', 'link-local (cloud metadata)'],
  ['fe80::1', 'IPv6 link-local'],
  ['fd12:3456::1', 'IPv6 unique local'],
  ['0.0.0.0', 'unspecified'],
  ['::', 'IPv6 unspecified'],
  ['224.0.0.1', 'multicast'],
  ['ff02::1', 'IPv6 multicast'],
  ['255.255.255.255', 'broadcast'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata, hex form'],
  ['64:ff9b::10.0.0.1', 'NAT64 of a private address'],
  ['example.com', 'not an address'],
  ['', 'empty'],
] as const;

const ALLOWED = [
  ['8.8.8.8', 'public IPv4'],
  ['172.32.0.1', 'just past 172.16/12'],
  ['100.128.0.1', 'just past 100.64/10'],
  ['2606:4700:4700::1111', 'public IPv6'],
  ['::ffff:8.8.8.8', 'IPv4-mapped public'],
  ['64:ff9b::808:808', 'NAT64 of a public address'],
] as const;

for (const [address, why] of REFUSED)
  test(`refused: ${address || '(empty)'} (${why})`, (t) => {
    t.false(isPublicAddress(address));
  });

for (const [address, why] of ALLOWED)
  test(`allowed: ${address} (${why})`, (t) => {
    t.true(isPublicAddress(address));
  });
