package io.jrunc.shim.typeurl;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;

/**
 * {@code google.protobuf.Any} the way containerd writes and reads it. containerd 1.6 (gogo typeurl)
 * writes the bare full message name as the type URL ({@code containerd.events.TaskExit}) and cannot
 * resolve {@code type.googleapis.com/...}; so we always write bare names (never {@link Any#pack})
 * and, when reading, compare only the part after the last {@code /}.
 */
public final class TypeUrls {

    private TypeUrls() {}

    /** Any with the bare full name of {@code message}'s type as its type URL. */
    public static Any pack(Message message) {
        return Any.newBuilder()
                .setTypeUrl(message.getDescriptorForType().getFullName())
                .setValue(message.toByteString())
                .build();
    }

    /** The message name in a type URL: {@code "type.googleapis.com/a.B"} and {@code "a.B"} give {@code "a.B"}. */
    public static String typeName(String typeUrl) {
        return typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
    }

    /** Whether {@code any} holds a message of {@code type}, with or without a URL prefix. */
    public static boolean is(Any any, Descriptor type) {
        return typeName(any.getTypeUrl()).equals(type.getFullName());
    }

    /**
     * Decodes {@code any} as the type of {@code defaultInstance} (e.g. {@code Options.getDefaultInstance()}).
     *
     * @throws InvalidProtocolBufferException if the type differs or the bytes do not decode
     */
    @SuppressWarnings("unchecked")
    public static <T extends Message> T unpack(Any any, T defaultInstance) throws InvalidProtocolBufferException {
        Descriptor expected = defaultInstance.getDescriptorForType();
        if (!is(any, expected)) {
            throw new InvalidProtocolBufferException("expected an Any holding " + expected.getFullName()
                    + ", got type URL '" + any.getTypeUrl() + "'");
        }
        return (T) defaultInstance.getParserForType().parseFrom(any.getValue());
    }
}
