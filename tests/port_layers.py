"""Real layers from well-known models, with the verdict each target should give (E
equivalent, C composition, N none), for tests/test_port_layers.py (no framework) and
tests/test_port_verify.py (--verify in the framework environments).

Targets, per op: torch, keras, tf.nn, mxnet (Gluon), jax (lax), onnxruntime. The reasons
behind each letter: torch and Gluon crop symmetrically (more before than after is said with
output_padding; an odd 'same' crop with more after is not), Keras has 'same'/'valid' only
and no groups, tf.nn and lax take no bias (``+ b`` after: a composition) and no groups,
tf.nn's 1-D/3-D transposed convs and tf.nn.convolution take modes only, ONNX takes all.
"""

from __future__ import annotations

TRANSPOSE_TARGETS = {
    "torch": "torch.nn.ConvTranspose", "keras": "keras.layers.ConvTranspose", "tf.nn": "tf.nn.conv_transpose",
    "mxnet": "mxnet.gluon.nn.ConvTranspose", "jax": "jax.lax.conv_transpose", "onnxruntime": "onnxruntime.ConvTranspose",
}
CONV_TARGETS = {
    "torch": "torch.nn.Conv", "keras": "keras.layers.Conv", "tf.nn": "tf.nn.convolution",
    "mxnet": "mxnet.gluon.nn.Conv", "jax": "jax.lax.conv_general_dilated", "onnxruntime": "onnxruntime.Conv",
}
VERDICTS = {"E": "equivalent", "C": "composition", "N": "none"}

# (model and layer, CALL, --input-shape (source layout), --weight-shape or None,
#  verdicts for torch keras tf.nn mxnet jax onnxruntime)
LAYERS = [
    ("DCGAN G (pytorch/examples) project 1x1 -> 4x4", "torch.nn.ConvTranspose2d(100, 512, 4, 1, 0, bias=False)",
     "1,100,1,1", None, "EEEEEE"),
    ("DCGAN G (pytorch/examples) 4x4 -> 8x8", "torch.nn.ConvTranspose2d(512, 256, 4, 2, 1, bias=False)",
     "1,512,4,4", None, "EEEEEE"),
    ("DCGAN G (pytorch/examples) to RGB", "nn.ConvTranspose2d(64, 3, 4, 2, 1, bias=False)", "1,64,16,16", None, "EEEEEE"),
    ("DCGAN (keras.io) generator up-block", "keras.layers.Conv2DTranspose(128, kernel_size=4, strides=2, padding='same')",
     "1,8,8,128", None, "EECECE"),
    ("DCGAN (TF tutorial) 7x7 stride 1", "tf.keras.layers.Conv2DTranspose(128, (5, 5), strides=(1, 1), padding='same', use_bias=False)",
     "1,7,7,256", None, "EEEEEE"),
    ("DCGAN (TF tutorial) 7 -> 14", "tf.keras.layers.Conv2DTranspose(64, (5, 5), strides=(2, 2), padding='same', use_bias=False)",
     "1,7,7,128", None, "CEECEE"),
    ("DCGAN (TF tutorial) to image", "tf.keras.layers.Conv2DTranspose(1, (5, 5), strides=(2, 2), padding='same', use_bias=False, activation='tanh')",
     "1,14,14,64", None, "CEECEE"),
    ("U-Net (milesial) up-conv 1024 -> 512", "nn.ConvTranspose2d(1024, 512, kernel_size=2, stride=2)", "1,1024,4,4", None, "EECECE"),
    ("U-Net (milesial) up-conv 128 -> 64", "nn.ConvTranspose2d(128, 64, kernel_size=2, stride=2)", "1,128,16,16", None, "EECECE"),
    ("FCN-32s bilinear upsampling (k=2s, s=32, p=s/2)", "nn.ConvTranspose2d(21, 21, 64, stride=32, padding=16, bias=False)",
     "1,21,3,3", None, "EEEEEE"),
    ("FCN-8s upscore2 (no padding, cropped later)", "nn.ConvTranspose2d(21, 21, 4, stride=2, bias=False)", "1,21,8,8", None, "EEEEEE"),
    ("FCN-8s upscore8", "nn.ConvTranspose2d(21, 21, 16, stride=8, bias=False)", "1,21,4,4", None, "EEEEEE"),
    ("FCN (d2l, Gluon) bilinear head", "nn.Conv2DTranspose(21, kernel_size=64, padding=16, strides=32)", "1,21,3,4", None, "EECECE"),
    ("pix2pix U-Net innermost up", "nn.ConvTranspose2d(512, 512, kernel_size=4, stride=2, padding=1, bias=False)", "1,512,1,1", None, "EEEEEE"),
    ("pix2pix U-Net outermost up", "nn.ConvTranspose2d(128, 3, kernel_size=4, stride=2, padding=1)", "1,128,16,16", None, "EECECE"),
    ("VAE decoder (keras.io) 7 -> 14", "layers.Conv2DTranspose(64, 3, activation='relu', strides=2, padding='same')",
     "1,7,7,64", None, "CECCCE"),
    ("VAE decoder (keras.io) 14 -> 28", "layers.Conv2DTranspose(32, 3, activation='relu', strides=2, padding='same')",
     "1,14,14,64", None, "CECCCE"),
    ("VAE decoder (keras.io) to image", "layers.Conv2DTranspose(1, 3, activation='sigmoid', padding='same')",
     "1,28,28,32", None, "EECECE"),
    ("MelGAN / HiFi-GAN 1-D upsampler x8", "nn.ConvTranspose1d(512, 256, kernel_size=16, stride=8, padding=4)",
     "1,512,8", None, "EECECE"),
    ("HiFi-GAN 1-D upsampler x2", "nn.ConvTranspose1d(128, 64, 4, 2, padding=1)", "1,128,16", None, "EECECE"),
    ("Keras Conv1DTranspose 'same' stride 2", "keras.layers.Conv1DTranspose(16, 3, strides=2, padding='same')",
     "1,32,8", None, "CECCCE"),
    ("3-D U-Net (Cicek) up-conv", "nn.ConvTranspose3d(256, 256, kernel_size=2, stride=2)", "1,256,2,2,2", None, "EECECE"),
    ("nnU-Net anisotropic up-conv", "nn.ConvTranspose3d(64, 32, (1, 2, 2), (1, 2, 2), bias=False)", "1,64,2,4,4", None, "EEEEEE"),
    ("V-Net up-conv 3-D k2 s2", "nn.ConvTranspose3d(64, 32, kernel_size=2, stride=2)", "1,64,4,4,4", None, "EECECE"),
    ("depthwise transposed conv (lightweight decoder)", "nn.ConvTranspose2d(32, 32, 4, stride=2, padding=1, groups=32, bias=False)",
     "1,32,8,8", None, "ENNENE"),
    ("Flax DCGAN-style ConvTranspose (transpose_kernel=False)", "flax.linen.ConvTranspose(features=64, kernel_size=(4, 4), strides=(2, 2), padding='SAME')",
     "1,8,8,128", None, "EECECE"),
    ("ONNX ConvTranspose node, torch's k3 s2 p1 op1", "onnx.helper.make_node('ConvTranspose', ['x', 'W'], ['y'], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])",
     "1,16,8,8", "16,8,3,3", "ECEEEE"),
    ("TF1 notes tf.nn SAME 7 -> 14", "tf.nn.conv2d_transpose(x1, w, output_shape=[2, 14, 14, 128], strides=[1, 2, 2, 1], padding='SAME')",
     "2,7,7,256", "3,3,128,256", "CEECEE"),
    ("TF1 notes tf.nn VALID 4 -> 14 (zeros past the full result)", "tf.nn.conv2d_transpose(x, w, output_shape=[2, 14, 14, 128], strides=[1, 3, 3, 1], padding='VALID')",
     "2,4,4,256", "3,3,128,256", "EEEEEE"),
    ("MXNet nd.Deconvolution k4 s2 p1", "mx.nd.Deconvolution(data=x, weight=w, kernel=(4, 4), stride=(2, 2), pad=(1, 1), num_filter=3, no_bias=True)",
     "1,64,16,16", "64,3,4,4", "EEEEEE"),
    ("jax.lax.conv_transpose SAME (TF layouts, kernel not transposed)", "jax.lax.conv_transpose(x, w, (2, 2), 'SAME', dimension_numbers=('NHWC', 'HWIO', 'NHWC'))",
     "1,8,8,16", "3,3,16,8", "CEECEE"),
    ("torch functional, x and w by shape", "torch.nn.functional.conv_transpose2d(torch.randn(1, 16, 8, 8), torch.randn(16, 8, 3, 3), stride=2, padding=1, output_padding=1)",
     None, None, "ECEEEE"),
    ("Paddle Conv2DTranspose k4 s2 p1", "paddle.nn.Conv2DTranspose(64, 32, 4, stride=2, padding=1)", "1,64,16,16", None, "EECECE"),
    # forward convolutions (ESPCN, SRGAN, ResNet, VGG, WaveNet, 3-D U-Net, MobileNet)
    ("ESPCN conv 5x5", "nn.Conv2d(1, 64, 5, padding=2)", "1,1,16,16", None, "EECECE"),
    ("ESPCN conv before pixel shuffle (r=3)", "nn.Conv2d(32, 9, 3, padding=1)", "1,32,16,16", None, "EECECE"),
    ("SRGAN first conv 9x9", "nn.Conv2d(3, 64, kernel_size=9, stride=1, padding=4)", "1,3,24,24", None, "EECECE"),
    ("ResNet stem conv 7x7 s2 p3", "nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)", "1,3,32,32", None, "ECCEEE"),
    ("VGG conv 3x3", "nn.Conv2d(64, 64, kernel_size=3, padding=1)", "1,64,16,16", None, "EECECE"),
    ("WaveNet dilated causal conv", "nn.Conv1d(32, 32, kernel_size=2, dilation=4)", "1,32,64", None, "EECECE"),
    ("3-D U-Net encoder conv", "nn.Conv3d(1, 32, 3, padding=1)", "1,1,8,8,8", None, "EECECE"),
    ("MobileNet first conv 'same' stride 2 (Keras)", "keras.layers.Conv2D(32, 3, strides=2, padding='same')", "1,32,32,3", None, "CECCCE"),
]


def expected(verdicts: str, op: str) -> dict[str, str]:
    targets = TRANSPOSE_TARGETS if op == "conv_transpose" else CONV_TARGETS
    return {adapter: VERDICTS[letter] for adapter, letter in zip(targets.values(), verdicts)}
