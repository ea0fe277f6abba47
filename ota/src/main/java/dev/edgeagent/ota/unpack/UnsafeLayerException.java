package dev.edgeagent.ota.unpack;

import dev.edgeagent.ota.OtaException;
import dev.edgeagent.protocol.ErrorCode;

/** A layer asked for something that would reach outside its rootfs or past a limit. */
public final class UnsafeLayerException extends OtaException {
    public UnsafeLayerException(String message) {
        super(ErrorCode.UNSAFE_LAYER, message);
    }
}
