"""A small GAN: a generator and a discriminator, two Adam optimizers, alternating functional steps."""
import json
import os
import sys

import numpy as np
import mindspore as ms
from mindspore import nn, ops
import mindspore.dataset as ds


class Generator(nn.Cell):
    def __init__(self, latent=4, features=6):
        super().__init__()
        self.fc1 = nn.Dense(latent, 8)
        self.act = nn.Tanh()
        self.fc2 = nn.Dense(8, features)

    def construct(self, z):
        return self.fc2(self.act(self.fc1(z)))


class Discriminator(nn.Cell):
    def __init__(self, features=6):
        super().__init__()
        self.fc1 = nn.Dense(features, 8)
        self.act = nn.LeakyReLU(0.2)
        self.fc2 = nn.Dense(8, 1)

    def construct(self, x):
        return self.fc2(self.act(self.fc1(x)))


def create_dataset():
    rng = np.random.RandomState(11)
    real = (rng.randn(40, 6) * 0.5 + 1.0).astype(np.float32)
    noise = rng.randn(40, 4).astype(np.float32)
    ones, zeros = np.ones((40, 1), np.float32), np.zeros((40, 1), np.float32)
    return ds.NumpySlicesDataset({"real": real, "noise": noise, "ones": ones, "zeros": zeros},
                                 shuffle=False).batch(8)


def main(out_file, pretrained=None):
    ms.set_seed(3)
    generator, discriminator = Generator(), Discriminator()
    if pretrained:
        ms.load_param_into_net(generator, ms.load_checkpoint(pretrained + "_g.ckpt"))
        ms.load_param_into_net(discriminator, ms.load_checkpoint(pretrained + "_d.ckpt"))
    bce = nn.BCEWithLogitsLoss()
    opt_g = nn.Adam(generator.trainable_params(), learning_rate=0.01, beta1=0.5, beta2=0.999)
    opt_d = nn.Adam(discriminator.trainable_params(), learning_rate=0.01, beta1=0.5, beta2=0.999)

    def d_loss_fn(real, noise, ones, zeros):
        fake = ops.stop_gradient(generator(noise))
        return bce(discriminator(real), ones) + bce(discriminator(fake), zeros)

    def g_loss_fn(noise, ones):
        return bce(discriminator(generator(noise)), ones)

    d_grad_fn = ms.value_and_grad(d_loss_fn, None, opt_d.parameters)
    g_grad_fn = ms.value_and_grad(g_loss_fn, None, opt_g.parameters)
    losses = []
    for real, noise, ones, zeros in create_dataset().create_tuple_iterator():
        d_loss, d_grads = d_grad_fn(real, noise, ones, zeros)
        opt_d(d_grads)
        g_loss, g_grads = g_grad_fn(noise, ones)
        opt_g(g_grads)
        losses += [float(d_loss.asnumpy()), float(g_loss.asnumpy())]
    with open(out_file, "w") as f:
        json.dump({"losses": losses}, f)


if __name__ == "__main__":
    init = os.path.splitext(sys.argv[1])[0] + "_init"
    main(sys.argv[1], init if os.path.exists(init + "_g.ckpt") else None)
