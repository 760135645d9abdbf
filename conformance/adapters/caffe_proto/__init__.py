"""Caffe's protobuf messages for a binary ``.caffemodel``, built at run time without protoc.

The message definitions are the subset of Caffe's ``caffe.proto`` in
``caffe_weights.textproto`` (a ``FileDescriptorProto`` in text format, Caffe's own field
numbers). The OpenCV adapter's rendered call embeds this text and turns it into message
classes with ``google.protobuf`` itself, so no generated ``_pb2`` module is tied to one
protobuf release and the repro script stands alone.
"""

from __future__ import annotations

from pathlib import Path

DESCRIPTOR_FILE = Path(__file__).with_name("caffe_weights.textproto")


def descriptor_text() -> str:
    """The text-format FileDescriptorProto of the Caffe messages a .caffemodel needs."""
    return DESCRIPTOR_FILE.read_text(encoding="utf-8")
