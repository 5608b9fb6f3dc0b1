package io.jrunc.shim.typeurl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.events.TaskStart;
import org.junit.jupiter.api.Test;

class TypeUrlsTest {

    private final TaskExit exit = TaskExit.newBuilder().setContainerId("c").setPid(7).build();

    @Test
    void packWritesTheBareFullName() {
        Any any = TypeUrls.pack(exit);
        assertEquals("containerd.events.TaskExit", any.getTypeUrl());
        assertEquals(exit.toByteString(), any.getValue());
    }

    @Test
    void matchesWithOrWithoutAUrlPrefix() throws Exception {
        Any bare = TypeUrls.pack(exit);
        Any prefixed = Any.pack(exit); // type.googleapis.com/containerd.events.TaskExit
        assertTrue(TypeUrls.is(bare, TaskExit.getDescriptor()));
        assertTrue(TypeUrls.is(prefixed, TaskExit.getDescriptor()));
        assertFalse(TypeUrls.is(bare, TaskStart.getDescriptor()));
        assertEquals(exit, TypeUrls.unpack(prefixed, TaskExit.getDefaultInstance()));
        assertEquals(exit, TypeUrls.unpack(bare, TaskExit.getDefaultInstance()));
        assertEquals("a.B", TypeUrls.typeName("example.com/x/a.B"));
    }

    @Test
    void unpackRefusesAnotherType() {
        InvalidProtocolBufferException e = assertThrows(InvalidProtocolBufferException.class,
                () -> TypeUrls.unpack(TypeUrls.pack(exit), TaskStart.getDefaultInstance()));
        assertTrue(e.getMessage().contains("containerd.events.TaskStart"), e.getMessage());
        assertTrue(e.getMessage().contains("containerd.events.TaskExit"), e.getMessage());
    }
}
