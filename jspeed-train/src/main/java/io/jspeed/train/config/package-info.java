/**
 * The training configuration: one JSON file (DeepSpeed's keys where they exist) plus overrides, parsed and
 * validated once into typed records. Depends on the JDK and Jackson only.
 */
package io.jspeed.train.config;
