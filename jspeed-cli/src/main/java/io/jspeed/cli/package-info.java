/**
 * The picocli command line: train, generate, bench. Config loading lives in io.jspeed.train.config.
 * Depends on every other module; nothing depends on it.
 */
package io.jspeed.cli;
