package dev.edgeagent.protocol;

/** The MQTT topics of one device (see docs/protocol.md). One topic per command, so broker ACLs can split rights. */
public record Topics(DeviceId device) {
    public static final String PREFIX = "edge/";

    public String command(String name) {
        return PREFIX + device + "/cmd/" + name;
    }

    public String allCommands() {
        return PREFIX + device + "/cmd/+";
    }

    /** The command name of a topic under {@link #allCommands()}, or null when the topic is not one. */
    public String commandName(String topic) {
        String prefix = PREFIX + device + "/cmd/";
        return topic.startsWith(prefix) ? topic.substring(prefix.length()) : null;
    }

    /** The device's own retained desired state. */
    public String desired() {
        return PREFIX + device + "/desired";
    }

    /** A group's retained desired state; a device follows the groups its config names. */
    public static String groupDesired(String group) {
        return PREFIX + "group/" + group + "/desired";
    }

    /** The device's retained trust document (a rotation signed by the root keys). */
    public String trust() {
        return PREFIX + device + "/trust";
    }

    /** A group's retained trust document. */
    public static String groupTrust(String group) {
        return PREFIX + "group/" + group + "/trust";
    }

    /** The device's retained isolation policy (a device profile signed by the policy keys). */
    public String policy() {
        return PREFIX + device + "/policy";
    }

    /** A group's retained isolation policy. */
    public static String groupPolicy(String group) {
        return PREFIX + "group/" + group + "/policy";
    }

    public String status() {
        return PREFIX + device + "/status";
    }

    public String events() {
        return PREFIX + device + "/events";
    }

    public String online() {
        return PREFIX + device + "/online";
    }

    public String reply() {
        return PREFIX + device + "/reply";
    }

    /**
     * A requester's own reply topic under the device's reply namespace ({@code edge/{device}/reply/{requester}}): the
     * only place besides {@link #reply()} an order's MQTT 5 response topic may point to.
     */
    public String replyFor(String requester) {
        return reply() + "/" + requester;
    }
}
