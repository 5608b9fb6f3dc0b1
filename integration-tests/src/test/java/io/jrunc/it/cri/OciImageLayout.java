package io.jrunc.it.cri;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An OCI image layout (oci-layout, index.json, blobs/sha256/&lt;hex&gt;) packed as one tar, the format
 * {@code ctr images import} reads: images that share one uncompressed layer and differ in their config
 * (entrypoint, cmd, env). Each manifest in the index carries {@code io.containerd.image.name}, which containerd
 * takes as the image's full name, so no registry or base name is involved.
 */
final class OciImageLayout {
    static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
    static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar";
    static final String NAME_ANNOTATION = "io.containerd.image.name";

    /** What an image runs; {@code name} is a full reference such as "jrunc.test/busybox:it". */
    record ImageDef(String name, List<String> entrypoint, List<String> cmd, List<String> env) {
    }

    /** An image as packed: its id (config digest, what CRI reports as Image.id) and manifest digest. */
    record PackedImage(String name, String configDigest, String manifestDigest) {
    }

    /** The archive's bytes and the images in it, in the order given. */
    record Archive(byte[] tar, List<PackedImage> images) {
    }

    private OciImageLayout() {
    }

    static Archive pack(byte[] layer, List<ImageDef> defs) {
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        String layerDigest = put(blobs, layer);
        List<PackedImage> packed = new ArrayList<>();
        List<String> descriptors = new ArrayList<>();
        for (ImageDef def : defs) {
            byte[] config = config(def, layerDigest).getBytes(StandardCharsets.UTF_8);
            String configDigest = put(blobs, config);
            byte[] manifest = manifest(configDigest, config.length, layerDigest, layer.length).getBytes(StandardCharsets.UTF_8);
            String manifestDigest = put(blobs, manifest);
            packed.add(new PackedImage(def.name(), configDigest, manifestDigest));
            descriptors.add("{\"mediaType\":" + Json.quote(MANIFEST_TYPE) + ",\"digest\":" + Json.quote(manifestDigest)
                    + ",\"size\":" + manifest.length
                    + ",\"annotations\":{" + Json.quote(NAME_ANNOTATION) + ":" + Json.quote(def.name()) + "}"
                    + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}");
        }
        String index = "{\"schemaVersion\":2,\"manifests\":[" + String.join(",", descriptors) + "]}";
        UstarWriter tar = new UstarWriter()
                .file("oci-layout", 0644, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8))
                .file("index.json", 0644, index.getBytes(StandardCharsets.UTF_8))
                .directory("blobs", 0755)
                .directory("blobs/sha256", 0755);
        blobs.forEach((digest, bytes) -> tar.file("blobs/sha256/" + digest.substring("sha256:".length()), 0644, bytes));
        return new Archive(tar.finish(), List.copyOf(packed));
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String put(Map<String, byte[]> blobs, byte[] bytes) {
        String digest = sha256(bytes);
        blobs.putIfAbsent(digest, bytes);
        return digest;
    }

    private static String config(ImageDef def, String layerDigest) {
        // An uncompressed layer's diff id is its own digest.
        return "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{"
                + "\"Env\":" + Json.array(def.env())
                + ",\"Entrypoint\":" + Json.array(def.entrypoint())
                + ",\"Cmd\":" + Json.array(def.cmd())
                + ",\"WorkingDir\":\"/\"}"
                + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + Json.quote(layerDigest) + "]}}";
    }

    private static String manifest(String configDigest, int configSize, String layerDigest, int layerSize) {
        return "{\"schemaVersion\":2,\"mediaType\":" + Json.quote(MANIFEST_TYPE)
                + ",\"config\":{\"mediaType\":" + Json.quote(CONFIG_TYPE) + ",\"digest\":" + Json.quote(configDigest)
                + ",\"size\":" + configSize + "}"
                + ",\"layers\":[{\"mediaType\":" + Json.quote(LAYER_TYPE) + ",\"digest\":" + Json.quote(layerDigest)
                + ",\"size\":" + layerSize + "}]}";
    }

    /** Just enough JSON writing for image configs and manifests. */
    static final class Json {
        private Json() {
        }

        static String array(List<String> values) {
            return values.stream().map(Json::quote).collect(Collectors.joining(",", "[", "]"));
        }

        static String quote(String s) {
            StringBuilder b = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            return b.append('"').toString();
        }
    }
}
