/**
 * Loaded by mocha before the tests (.mocharc.json): every proxy in the tests, and every CLI
 * process they start, overwrites its reused read buffers after each read (see LegReader), so a
 * consumer that kept a view of one fails a byte check instead of passing by chance.
 */
process.env.LINETAP_CHECK_READS = '1';
