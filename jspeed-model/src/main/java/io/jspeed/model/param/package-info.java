/**
 * Parameters as flat per-block buffers with named views ({@link io.jspeed.model.param.ParamBlock}).
 * Depends only on the JDK.
 */
package io.jspeed.model.param;
