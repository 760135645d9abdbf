"""Caffe's protobuf messages for a binary ``.caffemodel``, built at run time without protoc.

The message definitions are the subset of Caffe's ``caffe.proto`` in
``caffe_weights.textproto`` (a ``FileDescriptorProto`` in text format, Caffe's own field
numbers); ``google.protobuf`` turns it into message classes, so no generated ``_pb2``
module is tied to one protobuf release. ``google.protobuf`` is imported lazily: this
package imports with no protobuf installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

DESCRIPTOR_FILE = Path(__file__).with_name("caffe_weights.textproto")
NET_PARAMETER = "caffe.NetParameter"


def descriptor_text() -> str:
    """The text-format FileDescriptorProto of the Caffe messages a .caffemodel needs."""
    return DESCRIPTOR_FILE.read_text(encoding="utf-8")


@cache
def net_parameter_class():
    """The ``caffe.NetParameter`` message class (imports google.protobuf)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format

    file_proto = text_format.Parse(descriptor_text(), descriptor_pb2.FileDescriptorProto())
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(file_proto.SerializeToString())
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(NET_PARAMETER))


def caffemodel_bytes(net_name: str, layer_name: str, layer_type: str, blobs: Sequence[np.ndarray]) -> bytes:
    """A serialized NetParameter whose one layer carries ``blobs`` (shape + float32 data).

    Caffe's BlobProto holds ``repeated float data`` in C order with the shape in
    ``shape.dim``; OpenCV's importer matches the binary layer to the .prototxt one by name.
    """
    net = net_parameter_class()(name=net_name)
    layer = net.layer.add(name=layer_name, type=layer_type)
    for array in blobs:
        blob = layer.blobs.add()
        blob.shape.dim.extend(int(size) for size in array.shape)
        blob.data.extend(np.asarray(array, dtype=np.float32).ravel().tolist())
    return net.SerializeToString()
