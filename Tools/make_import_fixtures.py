#!/usr/bin/env python3
"""Writes the small ONNX files Tests/InferONNXTests use (committed; rerun to regenerate).

Every model has exactly one opset_import entry, serialized last (field 8 after graph 7), so
each strict prefix of a file is an invalid model (the truncation test relies on it).
Values here are mirrored in Tests/InferONNXTests/ONNXImportFixtureTests.swift.
"""
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "InferONNXTests", "Fixtures")

VALUES = {
    TensorProto.FLOAT: ("f32", [1.5, -2.0, 3.25, 0.0]),
    TensorProto.DOUBLE: ("f64", [1.5, -2.25, 1e300, 0.0]),
    TensorProto.INT64: ("i64", [-(2**63), -1, 0, 2**63 - 1]),
    TensorProto.INT32: ("i32", [-(2**31), -1, 0, 2**31 - 1]),
    TensorProto.INT8: ("i8", [-128, -1, 0, 127]),
    TensorProto.UINT8: ("u8", [0, 1, 200, 255]),
    TensorProto.BOOL: ("b", [True, False, True, True]),
}


def save(model, name):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save_model(model, path)


def model(graph, opset=17):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="make_import_fixtures")
    m.ir_version = 8
    return m


def tensor(name, dtype, dims, vals, raw):
    """raw_data (little-endian bytes) or the typed field onnx.helper picks (int32_data for int8/uint8/bool)."""
    if not raw:
        return helper.make_tensor(name, dtype, dims, vals)
    array = np.array(vals, dtype=helper.tensor_dtype_to_np_dtype(dtype)).reshape(dims)
    t = numpy_helper.from_array(array, name)
    assert t.HasField("raw_data") or array.size == 0
    return t


def initializers_model(raw):
    inits, outputs, nodes = [], [], []
    for dtype, (name, vals) in VALUES.items():
        inits.append(tensor(name, dtype, [2, 2], vals, raw))
        outputs.append(helper.make_tensor_value_info(name + "_out", dtype, [2, 2]))
        nodes.append(helper.make_node("Identity", [name], [name + "_out"], name="id_" + name))
    inits.append(tensor("empty", TensorProto.FLOAT, [2, 0], [], raw))
    # An input that is also an initializer: an overridable default.
    inits.append(tensor("bias", TensorProto.FLOAT, [3], [0.5, 0.25, 0.125], raw))
    inputs = [helper.make_tensor_value_info("bias", TensorProto.FLOAT, [3])]
    outputs.append(helper.make_tensor_value_info("bias_out", TensorProto.FLOAT, [3]))
    nodes.append(helper.make_node("Identity", ["bias"], ["bias_out"], name="id_bias"))
    g = helper.make_graph(nodes, "initializers", inputs, outputs, inits)
    return model(g)


def branch(name, value):
    out = helper.make_tensor_value_info(name + "_y", TensorProto.FLOAT, [1])
    const = helper.make_node("Constant", [], [name + "_y"],
                             value=helper.make_tensor(name + "_v", TensorProto.FLOAT, [1], [value]))
    return helper.make_graph([const], name, [], [out])


def attributes_model():
    t1 = helper.make_tensor("t1", TensorProto.INT64, [3], [1, 2, 3])
    t2 = helper.make_tensor("t2", TensorProto.FLOAT, [], [2.5])
    tp = helper.make_tensor_type_proto(TensorProto.FLOAT, ["N", 4, None])
    tp2 = helper.make_tensor_type_proto(TensorProto.INT32, None)
    # An op unknown to ONNX (not an import error) carrying one attribute of every kind.
    every = helper.make_node("AllAttributeKinds", ["x"], ["z"], name="every_kind")
    every.attribute.extend([
        helper.make_attribute("f", 0.25), helper.make_attribute("i", -7),
        helper.make_attribute("s", "hello"), helper.make_attribute("t", t1),
        helper.make_attribute("g", branch("g", 1.0)), helper.make_attribute("fs", [1.0, -0.5]),
        helper.make_attribute("is", [4, -5, 6]), helper.make_attribute("ss", ["a", "bc"]),
        helper.make_attribute("ts", [t1, t2]),
        helper.make_attribute("gs", [branch("g0", 0.0), branch("g1", 1.0)]),
        helper.make_attribute("tp", tp), helper.make_attribute("tps", [tp, tp2]),
    ])
    cond = helper.make_tensor_value_info("cond", TensorProto.BOOL, [])
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    if_node = helper.make_node("If", ["cond"], ["y"], name="if",
                               then_branch=branch("then", 1.0), else_branch=branch("else", 0.0))
    g = helper.make_graph([every, if_node], "attributes", [cond, x],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1]),
                           helper.make_tensor_value_info("z", TensorProto.FLOAT, None)])
    return model(g)


def symbolic_model():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, None, 10**12])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3, None, 10**12])
    r = helper.make_tensor_value_info("r", TensorProto.INT64, None)  # rank unknown
    hidden = helper.make_tensor_value_info("h", TensorProto.FLOAT, ["N", "seq"])
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu"),
             helper.make_node("Shape", ["x"], ["r"], name="shape")]
    g = helper.make_graph(nodes, "symbolic", [x], [y, r], value_info=[hidden])
    return model(g)


def external_model(location, offset=None, length=None):
    w = helper.make_tensor("w", TensorProto.FLOAT, [2, 3], [0.0] * 6)
    w.ClearField("float_data")
    w.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", offset), ("length", length)):
        if value is not None:
            entry = w.external_data.add()
            entry.key, entry.value = key, str(value)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])
    g = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"], name="add")], "external", [x], [y], [w])
    return model(g)


def write_external():
    folder = os.path.join(OUT, "external")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    # weights.bin: 8 junk bytes, then the 6 floats of w at offset 8.
    w = np.array([[1, 2, 3], [4, 5, 6]], dtype="<f4")
    with open(os.path.join(folder, "weights.bin"), "wb") as f:
        f.write(b"\xde\xad\xbe\xef" * 2 + w.tobytes())
    # outside.bin sits next to the folder: readable if the escape checks failed.
    with open(os.path.join(OUT, "outside.bin"), "wb") as f:
        f.write(w.tobytes())
    os.symlink("../outside.bin", os.path.join(folder, "link.bin"))
    save(external_model("weights.bin", offset=8, length=24), "external/valid.onnx")
    save(external_model("./weights.bin", offset=8), "external/valid_no_length.onnx")
    save(external_model("../outside.bin"), "external/escape.onnx")
    save(external_model("sub/../../outside.bin"), "external/escape_nested.onnx")
    save(external_model("/etc/hostname"), "external/absolute.onnx")
    save(external_model("link.bin"), "external/symlink.onnx")
    save(external_model("weights.bin", offset=1000, length=24), "external/offset_beyond.onnx")
    save(external_model("weights.bin", offset=16, length=24), "external/length_beyond.onnx")
    save(external_model("missing.bin"), "external/missing.onnx")


def float16_model():
    w = numpy_helper.from_array(np.array([1, 2], dtype=np.float16), "half_weight")
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT16, [2])
    g = helper.make_graph([helper.make_node("Identity", ["half_weight"], ["y"])], "f16", [], [y], [w])
    return model(g)


def old_opset_model():
    # Add at opset 6: every implementation of Add in the engine starts at 7 or later.
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
    g = helper.make_graph([helper.make_node("Add", ["x", "x"], ["y"], name="old_add")], "old", [x], [y])
    return model(g, opset=6)


def local_function_model():
    fn = helper.make_function("local.fns", "Double", ["a"], ["b"],
                              [helper.make_node("Add", ["a", "a"], ["b"])],
                              [helper.make_opsetid("", 17)])
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
    g = helper.make_graph([helper.make_node("Double", ["x"], ["y"], name="call", domain="local.fns")],
                          "functions", [x], [y])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("local.fns", 1)],
                          functions=[fn])
    m.ir_version = 8
    return m


def sparse_attribute_model():
    values = helper.make_tensor("values", TensorProto.FLOAT, [2], [1.0, 2.0])
    indices = helper.make_tensor("indices", TensorProto.INT64, [2], [0, 3])
    sparse = helper.make_sparse_tensor(values, indices, [4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])
    node = helper.make_node("Constant", [], ["y"], name="sparse_const", sparse_value=sparse)
    return model(helper.make_graph([node], "sparse", [], [y]))


def main():
    os.makedirs(OUT, exist_ok=True)
    save(initializers_model(raw=False), "initializers_typed.onnx")
    save(initializers_model(raw=True), "initializers_raw.onnx")
    save(attributes_model(), "attributes.onnx")
    save(symbolic_model(), "symbolic_dims.onnx")
    save(float16_model(), "float16_initializer.onnx")
    save(old_opset_model(), "old_opset.onnx")
    save(local_function_model(), "local_function.onnx")
    save(sparse_attribute_model(), "sparse_attribute.onnx")
    write_external()
    t = numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5, "input_0")
    with open(os.path.join(OUT, "tensor_float.pb"), "wb") as f:
        f.write(t.SerializeToString())
    t = helper.make_tensor("indices", TensorProto.INT64, [3], [7, -1, 0])  # int64_data, not raw
    with open(os.path.join(OUT, "tensor_int64_typed.pb"), "wb") as f:
        f.write(t.SerializeToString())
    for name in ("initializers_typed.onnx", "initializers_raw.onnx", "external/valid.onnx"):
        onnx.checker.check_model(os.path.join(OUT, name))
    print("wrote fixtures to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
