# Only drop_path of quark0/darts's cnn/utils.py (f276dd3), whose other helpers need
# torchvision; drop path is off at initialisation (drop_prob 0), so this is never entered.
import torch
from torch.autograd import Variable


def drop_path(x, drop_prob):
  if drop_prob > 0.:
    keep_prob = 1.-drop_prob
    mask = Variable(torch.cuda.FloatTensor(x.size(0), 1, 1, 1).bernoulli_(keep_prob))
    x.div_(keep_prob)
    x.mul_(mask)
  return x
